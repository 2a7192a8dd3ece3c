// Where people do their work: an agency's "My work", the filing form per measure (with evidence files), corrections,
// the office's review queue, and instructions (督办): issue, reply, extension, decision, close (办结).
// Routes live under #/w/; everything goes through the public API with the person's session or token (session.js).
import { send, session, lang, RequestError } from './session.js';

const TEXT = {
  zh: {
    myWork: '我的工作', review: '审核队列', instructions: '督办', loading: '加载中…',
    kind_report_due: '本期应报', 'kind_report-due': '本期应报', 'kind_report-missing': '缺报', 'kind_report-returned': '被退回',
    kind_instruction: '待答复督办', deadline: '期限', daysLeft: n => (n < 0 ? `逾期 ${-n} 天` : `剩 ${n} 天`), file: '填报', correct: '更正',
    nothing: '暂无待办事项。', unit: '单位', kindLabel: '口径', baseline: '基线', target: '目标', lastReport: '最近一次报送', none: '无',
    tk_cumulative: '累计值', 'tk_new-in-year': '当年新增', tk_annual: '年度值', 'tk_growth-rate': '增长率',
    value: '数值', status: '进展状态', asOf: '截至日期', period: '期次（如 2025-Q2）', narrative: '情况说明', links: '佐证链接（每行一个）',
    files: '佐证文件（PDF、图片、Office 文档）', subUnit: '分项（只报本单位负责的部分时填写，如某市；报全省数据留空）', reason: '更正原因', submit: '提交', filed: n => `已提交报告 #${n}`, filedFiles: n => `，附件 ${n} 个`,
    ms_not_started: '未开始', 'ms_not-started': '未开始', 'ms_in-progress': '推进中', ms_done: '已完成',
    age: n => `已等待 ${n} 天`, comment: '审核意见', accept: '通过', ret: '退回', accepted: '已通过', returned: '已退回',
    emptyQueue: '没有待审核的报告。', evidence: '佐证', officeComment: '办公室意见',
    issue: '下发督办', taskNumber: '任务编号', measureCode: '指标编号（可选）', agencies: '责任单位代码（可多个，用逗号分隔）',
    text: '督办内容', replyBy: '答复期限', issued: n => `已下发 ${n} 条督办`, reply: '答复', replyText: '答复内容',
    extensionTo: '申请延期至（可选）', sendReply: '提交答复', decision: '处理', action: '处理方式', act_close: '办结',
    'act_send-back': '退回重办', 'act_accept-extension': '同意延期', 'act_reject-extension': '不同意延期', decide: '确认',
    st_AwaitingReply: '待答复', 'st_awaiting-reply': '待答复', st_replied: '已答复', st_closed: '已办结', extensionAsked: d => `申请延期至 ${d}`,
    signInFirst: '请先登录。', back: '返回',
    bulk: '批量上传', bulkFile: '模板文件（CSV 或 Excel）', upload: '上传', templateCsv: '下载模板（CSV）', templateXlsx: '下载模板（Excel）',
    bulkFiled: n => `已提交 ${n} 份报告`, bulkBad: n => `${n} 行有错误，未提交任何报告。请改正后重新上传。`, row: '行', errors: '错误',
    remind: '催办', remindNote: '催办说明（可选）', reminded: n => `已催办，发出 ${n} 条提醒`,
    signOff: '销号', signOffTitle: '销号（已完成的任务和指标）', signOffComment: '销号意见', signOffButton: '销号', reopen: '撤销销号', reopenReason: '撤销原因',
    status_done: '已完成', signedOff: (at, by) => `已销号 · ${at}${by ? ' · ' + by : ''}`, task: '任务', nothingDone: '暂无已完成的任务或指标。',
  },
  en: {
    myWork: 'My work', review: 'Review queue', instructions: 'Instructions', loading: 'Loading…',
    'kind_report-due': 'Due this period', 'kind_report-missing': 'Missing', 'kind_report-returned': 'Returned', kind_instruction: 'Instruction awaiting reply',
    deadline: 'Deadline', daysLeft: n => (n < 0 ? `${-n} days overdue` : `${n} days left`), file: 'File', correct: 'Correct',
    nothing: 'Nothing to do.', unit: 'Unit', kindLabel: 'Kind', baseline: 'Baseline', target: 'Target', lastReport: 'Last report', none: 'none',
    tk_cumulative: 'Running total', 'tk_new-in-year': 'New this year', tk_annual: 'Annual amount', 'tk_growth-rate': 'Growth rate',
    value: 'Value', status: 'Status', asOf: 'As of', period: 'Period (e.g. 2025-Q2)', narrative: 'Narrative', links: 'Evidence links (one per line)',
    files: 'Evidence files (PDF, images, Office documents)', subUnit: 'Part (only when filing your share, e.g. a city; empty for the whole figure)', reason: 'Reason for the correction', submit: 'Submit',
    filed: n => `Report #${n} filed`, filedFiles: n => `, ${n} file(s) attached`,
    'ms_not-started': 'Not started', 'ms_in-progress': 'In progress', ms_done: 'Done',
    age: n => `waiting ${n} days`, comment: 'Review comment', accept: 'Accept', ret: 'Return', accepted: 'Accepted', returned: 'Returned',
    emptyQueue: 'No reports await review.', evidence: 'Evidence', officeComment: "Office's comment",
    issue: 'Issue an instruction', taskNumber: 'Task number', measureCode: 'Measure code (optional)', agencies: 'Agency codes (comma-separated)',
    text: 'Instruction', replyBy: 'Reply by', issued: n => `${n} instruction(s) issued`, reply: 'Reply', replyText: 'Reply',
    extensionTo: 'Ask for an extension to (optional)', sendReply: 'Send reply', decision: 'Decision', action: 'Action', act_close: 'Close (办结)',
    'act_send-back': 'Send back', 'act_accept-extension': 'Accept extension', 'act_reject-extension': 'Reject extension', decide: 'Confirm',
    'st_awaiting-reply': 'Awaiting reply', st_replied: 'Replied', st_closed: 'Closed', extensionAsked: d => `extension asked to ${d}`,
    signInFirst: 'Sign in first.', back: 'Back',
    bulk: 'Bulk upload', bulkFile: 'Template file (CSV or Excel)', upload: 'Upload', templateCsv: 'Download the template (CSV)', templateXlsx: 'Download the template (Excel)',
    bulkFiled: n => `${n} report(s) filed`, bulkBad: n => `${n} row(s) have errors; nothing was filed. Correct them and upload again.`, row: 'Row', errors: 'Errors',
    remind: 'Remind (催办)', remindNote: 'Reminder note (optional)', reminded: n => `Reminder sent: ${n} message(s)`,
    signOff: 'Sign-off', signOffTitle: 'Sign-off (销号) of done tasks and measures', signOffComment: 'Sign-off comment', signOffButton: 'Sign off', reopen: 'Reopen', reopenReason: 'Reason for reopening',
    status_done: 'Done', signedOff: (at, by) => `Signed off · ${at}${by ? ' · ' + by : ''}`, task: 'Task', nothingDone: 'No task or measure is done yet.',
  },
};
const t = (key, ...args) => {
  const v = TEXT[lang()][key] ?? TEXT.zh[key] ?? key;
  return typeof v === 'function' ? v(...args) : v;
};

let fieldSeq = 0;
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
/** A labelled field: the label names the control for screen readers (and for the tests). */
function field(label, control) {
  control.id ||= `f${++fieldSeq}`;
  return el('p', { class: 'field' }, el('label', { for: control.id }, label), control);
}
const plan = () => document.getElementById('plan')?.value || 'guizhou-2025';
const problemText = e => (e instanceof RequestError
  ? `${e.status}: ${e.message}${e.problem?.errors ? ' — ' + Object.entries(e.problem.errors).map(([k, v]) => `${k}: ${[v].flat().join(' ')}`).join('; ') : ''}`
  : String(e.message || e));
function note(container, text, testid, isError) {
  container.append(el('p', { role: isError ? 'alert' : 'status', class: isError ? 'message' : 'ok', 'data-testid': testid }, text));
}
const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

// ---------- My work (agency) ----------
async function renderMyWork(view) {
  if (!session.agency) { view.append(el('p', {}, t('signInFirst'))); return; }
  const inbox = (await send('GET', `/api/agencies/${encodeURIComponent(session.agency)}/inbox`)).body;
  view.append(el('h2', {}, `${t('myWork')} · ${lang() === 'en' ? inbox.agency.nameEn : inbox.agency.nameZh}`));
  if (!inbox.items.length) { view.append(el('p', {}, t('nothing'))); return; }
  const list = el('ul', { class: 'work-list', 'data-testid': 'my-work' });
  for (const item of inbox.items) {
    const li = el('li', { class: `work-item kind-${item.kind}`, 'data-testid': `work-${item.kind}`, 'data-code': item.code ?? '' },
      el('strong', {}, t(`kind_${item.kind}`)), ' ',
      el('span', {}, `${item.code ?? ''} ${lang() === 'en' ? item.titleEn : item.titleZh}`), ' · ',
      el('span', { class: item.daysLeft < 0 ? 'late' : '' }, `${t('deadline')} ${item.deadline} (${t('daysLeft', item.daysLeft)})`));
    if (item.periods?.length) li.append(` · ${item.periods.join(', ')}`);
    if (item.comment) li.append(el('p', { class: 'comment', 'data-testid': 'office-comment' }, `${t('officeComment')}: ${item.comment}`));
    if (item.kind === 'report-due' || item.kind === 'report-missing')
      li.append(' ', el('a', { class: 'button', href: `#/w/file/${item.measureId}` }, `${t('file')} ${item.code}`));
    if (item.kind === 'report-returned')
      li.append(' ', el('a', { class: 'button', href: `#/w/file/${item.measureId}/correct/${item.reportId}` }, `${t('correct')} ${item.code}`));
    if (item.kind === 'instruction' && item.instructionId) li.append(replyForm(item.instructionId));
    list.append(li);
  }
  view.append(list);
}

function replyForm(id) {
  const text = el('textarea', { required: true, rows: 2 });
  const ext = el('input', { type: 'date' });
  const out = el('div');
  const form = el('form', { class: 'inline-form', 'data-testid': `reply-${id}`, 'aria-label': `${t('reply')} #${id}` },
    field(t('replyText'), text), field(t('extensionTo'), ext), el('button', { type: 'submit' }, t('sendReply')), out);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    out.replaceChildren();
    try {
      await send('POST', `/api/instructions/${id}/replies`, { text: text.value, extensionTo: ext.value || null });
      note(out, '✓', 'reply-sent');
      form.querySelector('button').disabled = true;
    } catch (err) { note(out, problemText(err), 'form-error', true); }
  });
  return form;
}

// ---------- Filing form (and correction) ----------
async function loadMeasure(id) {
  try { return { type: 'target', m: (await send('GET', `/api/targets/${id}`)).body }; } catch (e) {
    if (!(e instanceof RequestError && e.status === 404)) throw e;
  }
  return { type: 'milestone', m: (await send('GET', `/api/milestones/${id}`)).body };
}

async function renderFiling(view, id, correctId) {
  const { type, m } = await loadMeasure(id);
  const reports = (await send('GET', `/api/${type}s/${id}/reports`)).body.reports;
  const last = [...reports].reverse().find(r => r.counts) ?? reports[reports.length - 1];
  const x = m.target ?? m.milestone;
  view.append(el('h2', { 'data-testid': 'filing-title' }, `${correctId ? t('correct') : t('file')} ${m.code} · ${lang() === 'en' ? (x.metricEn ?? x.titleEn) : (x.metricZh ?? x.titleZh)}`));
  // What the number means, before anything is typed.
  const facts = el('dl', { class: 'facts', 'data-testid': 'measure-facts' });
  const fact = (k, v) => facts.append(el('dt', {}, k), el('dd', {}, v));
  if (type === 'target') {
    fact(t('unit'), lang() === 'en' ? x.unitEn : x.unit);
    fact(t('kindLabel'), t(`tk_${x.kind}`));
    fact(t('baseline'), x.baseline ? `${x.baseline.value}${x.baseline.asOf ? ` (${x.baseline.asOf})` : ''}` : t('none'));
    fact(t('target'), `${x.valueAsWritten ?? `${x.value} ${x.unit}`} · ${x.dueDate}`);
  } else {
    fact(t('target'), x.dueDate);
  }
  fact(t('lastReport'), last ? `${last.value ?? t(`ms_${last.status}`)}${last.unit ? ' ' + last.unit : ''} (${last.asOf}, ${last.agency.code}, ${last.review.status})` : t('none'));
  view.append(facts);

  const controls = {};
  const form = el('form', { class: 'filing-form', 'data-testid': 'filing-form', 'aria-label': t('file') });
  if (type === 'target') form.append(field(`${t('value')} (${x.unit})`, controls.value = el('input', { type: 'number', step: 'any', required: true, inputmode: 'decimal' })));
  else {
    controls.status = el('select', { required: true }, ['not-started', 'in-progress', 'done'].map(s => el('option', { value: s }, t(`ms_${s}`))));
    form.append(field(t('status'), controls.status));
    if (x.recurrence && x.recurrence !== 'none') form.append(field(t('period'), controls.period = el('input', { type: 'text', required: true })));
  }
  form.append(field(t('subUnit'), controls.subUnit = el('input', { type: 'text', maxlength: 100 })));
  form.append(field(t('asOf'), controls.asOf = el('input', { type: 'date', required: true })));
  form.append(field(t('narrative'), controls.narrative = el('textarea', { rows: 3, maxlength: 4000 })));
  form.append(field(t('links'), controls.links = el('textarea', { rows: 2 })));
  form.append(field(t('files'), controls.files = el('input', { type: 'file', multiple: true, accept: '.pdf,.png,.jpg,.jpeg,.docx,.xlsx,.pptx,.doc,.xls' })));
  if (correctId) form.append(field(t('reason'), controls.reason = el('textarea', { rows: 2, required: true })));
  const out = el('div', { 'aria-live': 'polite' });
  form.append(el('button', { type: 'submit', 'data-testid': 'filing-submit' }, t('submit')), out);
  // One key per submission: a retried submit (double click, network retry) replays instead of filing twice.
  let key = newKey();
  form.addEventListener('submit', async e => {
    e.preventDefault();
    out.replaceChildren();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const body = {
        asOf: controls.asOf.value || null,
        narrative: controls.narrative.value || null,
        evidence: controls.links.value.split('\n').map(s => s.trim()).filter(Boolean),
      };
      if (controls.value) body.value = controls.value.value === '' ? null : Number(controls.value.value);
      if (controls.status) body.status = controls.status.value;
      if (controls.period) body.period = controls.period.value || null;
      if (controls.reason) body.reason = controls.reason.value;
      if (controls.subUnit.value.trim()) body.subUnit = controls.subUnit.value.trim();
      const path = correctId ? `/api/reports/${correctId}/corrections` : `/api/${type}s/${id}/reports`;
      const report = (await send('POST', path, body, { idempotencyKey: key })).body;
      const files = [...controls.files.files];
      for (let i = 0; i < files.length; i++) {
        const data = new FormData();
        data.append('file', files[i], files[i].name);
        await send('POST', `/api/reports/${report.id}/attachments`, data, { idempotencyKey: `${key}-file-${i}` });
      }
      note(out, t('filed', report.id) + (files.length ? t('filedFiles', files.length) : ''), 'filed');
      out.append(el('a', { href: '#/w/my' }, t('back')));
      key = newKey(); // the next submission is a new report
    } catch (err) {
      note(out, problemText(err), 'form-error', true);
    } finally {
      button.disabled = false;
    }
  });
  view.append(form);
}

// ---------- Review queue (office) ----------
async function renderReview(view) {
  const queue = (await send('GET', `/api/plans/${encodeURIComponent(plan())}/reports?reviewStatus=submitted`)).body;
  view.append(el('h2', {}, t('review')));
  if (!queue.length) { view.append(el('p', { 'data-testid': 'queue-empty' }, t('emptyQueue'))); return; }
  const list = el('ol', { class: 'queue', 'data-testid': 'review-queue' });
  for (const q of queue) {
    const r = q.report;
    const comment = el('textarea', { rows: 2 });
    const out = el('div');
    const files = el('span', { class: 'files' });
    const li = el('li', { class: 'card', 'data-testid': 'queued-report', 'data-report': r.id, 'data-code': r.measureCode },
      el('p', {}, el('strong', {}, `#${r.id} ${r.measureCode}`), ` · ${lang() === 'en' ? r.agency.nameEn : r.agency.nameZh} · `,
        el('span', { 'data-testid': 'queued-value' }, r.value !== null ? `${r.value} ${r.unit ?? ''}` : t(`ms_${r.status}`)),
        ` · ${t('asOf')} ${r.asOf} · ${t('age', q.ageDays)}`),
      r.narrative ? el('p', {}, r.narrative) : null,
      r.correctionReason ? el('p', { class: 'muted' }, `${t('reason')}: ${r.correctionReason}`) : null,
      el('p', {}, `${t('evidence')}: `, r.evidence.map(u => el('a', { href: u, rel: 'noopener noreferrer', target: '_blank' }, u, ' ')), files),
      field(`${t('comment')} #${r.id}`, comment),
      el('p', {}, el('button', { type: 'button', 'data-testid': 'accept', onclick: () => decide('accept') }, t('accept')), ' ',
        el('button', { type: 'button', 'data-testid': 'return', onclick: () => decide('return') }, t('ret'))),
      out);
    async function decide(decision) {
      out.replaceChildren();
      try {
        await send('POST', `/api/reports/${r.id}/review`, { decision, comment: comment.value || null }, { ifMatch: r.eTag ?? r.etag });
        note(out, decision === 'accept' ? t('accepted') : t('returned'), 'reviewed');
        li.querySelectorAll('button').forEach(b => { b.disabled = true; });
      } catch (err) { note(out, problemText(err), 'form-error', true); }
    }
    send('GET', `/api/reports/${r.id}/attachments`).then(res => {
      for (const a of res.body) files.append(el('a', { href: a.href, download: a.fileName, 'data-testid': 'attachment' }, a.fileName), ' ');
    }).catch(() => {});
    list.append(li);
  }
  view.append(list);
}

// ---------- Instructions (office issues and decides; agencies reply from My work) ----------
async function renderInstructions(view) {
  view.append(el('h2', {}, t('instructions')));
  if (session.role === 'office') {
    const c = {};
    const out = el('div');
    const form = el('form', { class: 'filing-form', 'data-testid': 'issue-form', 'aria-label': t('issue') },
      el('h3', {}, t('issue')),
      field(t('taskNumber'), c.task = el('input', { type: 'number', min: 1 })),
      field(t('measureCode'), c.measure = el('input', { type: 'text' })),
      field(t('agencies'), c.agencies = el('input', { type: 'text', required: true })),
      field(t('text'), c.text = el('textarea', { rows: 3, required: true })),
      field(t('replyBy'), c.replyBy = el('input', { type: 'date', required: true })),
      el('button', { type: 'submit' }, t('issue')), out);
    form.addEventListener('submit', async e => {
      e.preventDefault();
      out.replaceChildren();
      const codes = c.agencies.value.split(/[,，\s]+/).filter(Boolean);
      let n = 0;
      try {
        // One instruction per agency: the lead and its co-operating agencies each answer for their part.
        for (const agency of codes) {
          await send('POST', `/api/plans/${encodeURIComponent(plan())}/instructions`, {
            taskNumber: c.task.value ? Number(c.task.value) : null, measureCode: c.measure.value || null, agency,
            text: c.text.value, replyBy: c.replyBy.value || null,
          });
          n++;
        }
        note(out, t('issued', n), 'issued');
        await refreshList();
      } catch (err) { note(out, (n ? t('issued', n) + ' · ' : '') + problemText(err), 'form-error', true); }
    });
    view.append(form);
  }
  const holder = el('div', { 'data-testid': 'instruction-list' });
  view.append(holder);
  async function refreshList() {
    const query = session.role === 'office' ? '' : `?agency=${encodeURIComponent(session.agency ?? '')}`;
    const items = (await send('GET', `/api/plans/${encodeURIComponent(plan())}/instructions${query}`)).body;
    holder.replaceChildren(...items.map(i => instructionCard(i, refreshList)));
  }
  await refreshList();
}

function instructionCard(i, refresh) {
  const card = el('article', { class: 'card', 'data-testid': 'instruction', 'data-id': i.id, 'data-status': i.status },
    el('p', {}, el('strong', {}, `#${i.id} `), `${i.taskNumber ? `${t('taskNumber')} ${i.taskNumber}` : ''} ${i.measureCode ?? ''} · ${i.agency.code} · `,
      el('span', { 'data-testid': 'instruction-status' }, t(`st_${i.status}`)), ` · ${t('replyBy')} ${i.replyBy}`,
      i.extensionRequestedTo ? ` · ${t('extensionAsked', i.extensionRequestedTo)}` : ''),
    el('p', {}, i.text),
    el('ul', { class: 'thread' }, i.thread.map(e => el('li', {}, `${e.kind} · ${e.actor ?? ''} · ${e.text ?? ''}${e.date ? ' · ' + e.date : ''}`))));
  if (session.role === 'office' && i.status !== 'closed') {
    const action = el('select', {}, ['close', 'send-back', 'accept-extension', 'reject-extension'].map(a => el('option', { value: a }, t(`act_${a}`))));
    const comment = el('textarea', { rows: 2 });
    const replyBy = el('input', { type: 'date' });
    const out = el('div');
    const form = el('form', { class: 'inline-form', 'data-testid': `decide-${i.id}`, 'aria-label': `${t('decision')} #${i.id}` },
      field(`${t('action')} #${i.id}`, action), field(`${t('comment')} #${i.id}`, comment), field(`${t('replyBy')} #${i.id}`, replyBy),
      el('button', { type: 'submit' }, t('decide')), out);
    form.addEventListener('submit', async e => {
      e.preventDefault();
      out.replaceChildren();
      try {
        await send('POST', `/api/instructions/${i.id}/decisions`, { action: action.value, comment: comment.value || null, replyBy: replyBy.value || null });
        await refresh();
      } catch (err) { note(out, problemText(err), 'form-error', true); }
    });
    card.append(form);
  }
  if (session.role === 'office' && i.status === 'awaiting-reply') card.append(remindForm(i.id));
  if (session.role === 'reporter' && i.status !== 'closed') card.append(replyForm(i.id));
  return card;
}

/** 催办: the office chases an instruction awaiting a reply; the agency's contacts and robots get it at once. */
function remindForm(id) {
  const text = el('textarea', { rows: 2, maxlength: 1000 });
  const out = el('div');
  const form = el('form', { class: 'inline-form', 'data-testid': `remind-${id}`, 'aria-label': `${t('remind')} #${id}` },
    field(`${t('remindNote')} #${id}`, text), el('button', { type: 'submit' }, t('remind')), out);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    out.replaceChildren();
    try {
      const r = (await send('POST', `/api/instructions/${id}/reminders`, { note: text.value || null })).body;
      note(out, t('reminded', r.deliveries.length), 'reminded');
    } catch (err) { note(out, problemText(err), 'form-error', true); }
  });
  return form;
}

// ---------- Bulk upload of the template (agency) ----------
/** Splits CSV text into rows of cells (RFC 4180 quotes), so the page can show the uploaded rows beside their errors. */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  text = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

async function renderBulk(view) {
  const p = encodeURIComponent(plan());
  view.append(el('h2', {}, t('bulk')),
    el('p', {}, el('a', { href: `/api/plans/${p}/reports/template.csv`, download: '' }, t('templateCsv')), ' · ',
      el('a', { href: `/api/plans/${p}/reports/template.xlsx`, download: '' }, t('templateXlsx'))));
  const file = el('input', { type: 'file', required: true, accept: '.csv,.xlsx,text/csv' });
  const out = el('div', { 'aria-live': 'polite' });
  const form = el('form', { class: 'filing-form', 'data-testid': 'bulk-form', 'aria-label': t('bulk') },
    field(t('bulkFile'), file), el('button', { type: 'submit' }, t('upload')), out);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    out.replaceChildren();
    const f = file.files[0];
    if (!f) return;
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const data = new FormData();
      data.append('file', f, f.name);
      const result = (await send('POST', `/api/plans/${p}/reports/bulk`, data, { idempotencyKey: newKey() })).body;
      note(out, t('bulkFiled', result.count), 'bulk-filed');
    } catch (err) {
      const errors = err instanceof RequestError ? err.problem?.errors : null;
      const byRow = new Map();
      const other = [];
      for (const [k, v] of Object.entries(errors ?? {})) {
        const m = k.match(/^rows\[(\d+)\]\.?(.*)$/);
        if (m) {
          const list = byRow.get(Number(m[1])) ?? [];
          list.push(...[v].flat().map(x => (m[2] ? `${m[2]}: ${x}` : x)));
          byRow.set(Number(m[1]), list);
        } else other.push(...[v].flat().map(x => `${k}: ${x}`));
      }
      if (!byRow.size) { note(out, problemText(err), 'form-error', true); return; }
      note(out, t('bulkBad', byRow.size), 'bulk-error', true);
      if (other.length) note(out, other.join('; '), 'form-error', true);
      // The uploaded rows (a CSV is read here; for a workbook only the rows with errors), each with its errors beside it.
      const sheet = /\.xlsx$/i.test(f.name) ? null : parseCsv(await f.text());
      const header = sheet ? sheet[0] : [];
      const numbers = sheet ? sheet.slice(1).map((_, i) => i + 2).filter(n => sheet[n - 1].some(c => c.trim() !== '') || byRow.has(n)) : [...byRow.keys()].sort((a, b) => a - b);
      const table = el('table', { class: 'bulk-rows', 'data-testid': 'bulk-rows' },
        // Errors come right after the row number, so they stay in view on a phone while the cells scroll.
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('row')), el('th', { scope: 'col' }, t('errors')), header.map(h => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, numbers.map(n => el('tr', { class: byRow.has(n) ? 'row-error' : '', 'data-testid': 'bulk-row', 'data-row': n },
          el('th', { scope: 'row' }, String(n)), el('td', { 'data-testid': 'row-errors' }, (byRow.get(n) ?? []).join('；')),
          (sheet ? sheet[n - 1] : []).map(c => el('td', {}, c))))));
      out.append(el('div', { class: 'table-scroll' }, table));
    } finally {
      button.disabled = false;
    }
  });
  view.append(form);
}

// ---------- Sign-off (销号, office): done tasks and measures, signed off or reopened ----------
async function renderSignOff(view) {
  const p = encodeURIComponent(plan());
  const dash = (await send('GET', `/api/plans/${p}/dashboard`)).body;
  view.append(el('h2', {}, t('signOffTitle')));
  const title = x => (lang() === 'en' ? x.titleEn : x.titleZh);
  const items = [];
  for (const task of dash.tasks) {
    if (task.status === 'done' || task.signedOff) items.push({ kind: 'tasks', key: task.number, label: `${t('task')} ${task.number}`, title: title(task), signedOff: task.signedOff });
    for (const m of task.measures)
      if (m.status === 'done' || m.signedOff) items.push({ kind: 'measures', key: m.code, label: m.code, title: title(m), signedOff: m.signedOff });
  }
  for (const m of dash.headline.filter(h => h.taskNumber === null))
    if (m.status === 'done' || m.signedOff) items.push({ kind: 'measures', key: m.code, label: m.code, title: title(m), signedOff: m.signedOff });
  if (!items.length) { view.append(el('p', { 'data-testid': 'nothing-done' }, t('nothingDone'))); return; }
  const list = el('ul', { class: 'work-list', 'data-testid': 'sign-off-list' });
  for (const item of items) list.append(signOffItem(item, p));
  view.append(list);
}

function signOffItem(item, p) {
  const li = el('li', { class: 'work-item', 'data-testid': 'sign-off-item', 'data-kind': item.kind, 'data-key': item.key });
  const route = `/api/plans/${p}/${item.kind}/${encodeURIComponent(item.key)}/sign-off`;
  const draw = signedOff => {
    const out = el('div');
    const head = el('p', {}, el('strong', {}, item.label), ` ${item.title} · `,
      el('span', { 'data-testid': 'sign-off-state' }, signedOff ? t('signedOff', signedOff.at.slice(0, 10), signedOff.by) : t('status_done')));
    if (signedOff?.comment) head.append(` · ${signedOff.comment}`);
    const text = el('textarea', { rows: 2, required: !!signedOff });
    const form = el('form', { class: 'inline-form', 'aria-label': `${signedOff ? t('reopen') : t('signOff')} ${item.label}` },
      field(`${signedOff ? t('reopenReason') : t('signOffComment')} ${item.label}`, text),
      el('button', { type: 'submit', 'data-testid': signedOff ? 'reopen' : 'sign-off' }, signedOff ? t('reopen') : t('signOffButton')), out);
    form.addEventListener('submit', async e => {
      e.preventDefault();
      out.replaceChildren();
      try {
        const r = signedOff
          ? (await send('DELETE', route, { reason: text.value })).body
          : (await send('POST', route, { comment: text.value || null }, { idempotencyKey: newKey() })).body;
        draw(r.reopenedAtUtc ? null : { at: r.signedAtUtc, by: r.signedBy, comment: r.comment });
        li.querySelector('textarea')?.focus();
      } catch (err) { note(out, problemText(err), 'form-error', true); }
    });
    li.dataset.signedOff = signedOff ? 'true' : 'false';
    li.replaceChildren(head, form);
  };
  draw(item.signedOff);
  return li;
}

// ---------- routing ----------
function nav() {
  const links = [];
  if (session.role === 'reporter') links.push(['#/w/my', t('myWork')], ['#/w/bulk', t('bulk')], ['#/w/instructions', t('instructions')]);
  if (session.role === 'office') links.push(['#/w/review', t('review')], ['#/w/instructions', t('instructions')], ['#/w/signoff', t('signOff')]);
  const holder = document.getElementById('work-nav');
  if (holder) holder.replaceChildren(...links.map(([href, text]) => el('a', { href, class: 'button', 'data-testid': `nav-${href.slice(4)}` }, text)));
}

let seq = 0;
async function route() {
  const m = location.hash.match(/^#\/w\/(my|review|instructions|bulk|signoff|file\/(\d+)(?:\/correct\/(\d+))?)$/);
  const view = document.getElementById('work');
  const main = document.getElementById('app');
  if (!m) { view.hidden = true; main.hidden = false; return; }
  const mine = ++seq;
  main.hidden = true;
  view.hidden = false;
  document.body.dataset.ready = 'false';
  const target = el('div');
  try {
    if (m[1] === 'my') await renderMyWork(target);
    else if (m[1] === 'review') await renderReview(target);
    else if (m[1] === 'instructions') await renderInstructions(target);
    else if (m[1] === 'bulk') await renderBulk(target);
    else if (m[1] === 'signoff') await renderSignOff(target);
    else await renderFiling(target, Number(m[2]), m[3] ? Number(m[3]) : null);
  } catch (err) {
    note(target, problemText(err), 'form-error', true);
  }
  if (mine !== seq) return;
  view.replaceChildren(...target.childNodes);
  document.body.dataset.ready = 'true';
  view.querySelector('h2')?.setAttribute('tabindex', '-1');
  view.querySelector('h2')?.focus();
}

document.addEventListener('tt:session', () => { nav(); route(); });
window.addEventListener('hashchange', route);
document.getElementById('plan')?.addEventListener('change', route); // a work view follows the chosen plan
document.getElementById('lang')?.addEventListener('click', () => setTimeout(() => { nav(); route(); }));
