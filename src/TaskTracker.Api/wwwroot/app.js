// TaskTracker dashboard page. Plain ES module, no build step: it reads only the service's public API.
const $ = (sel, root = document) => root.querySelector(sel);
const SVG = 'http://www.w3.org/2000/svg';

const TEXT = {
  zh: {
    brand: '任务督办看板', plan: '计划', asOf: '截至日期', token: '访问令牌', tokenLabel: 'API 令牌（viewer）',
    save: '保存', clear: '清除', footer: '数据来自本服务的公开 API。', apiDocs: 'API 文档', langButton: 'English',
    overall: '总体完成度', expected: '按时间应完成', verified: '经审核完成度', headline: '主要目标', headlineGroup: '未列入具体任务的主要目标', sections: '各部分完成度', tasks: '重点任务',
    section: '部分', agency: '责任单位', all: '全部', showing: (n, t) => `显示 ${n} / ${t} 项任务`,
    number: '序号', title: '任务', lead: '牵头单位', completion: '完成度', status: '状态',
    overdue: '逾期事项', overdueTotal: n => `共 ${n} 项`, daysOverdue: d => `逾期 ${d} 天`, daysLeft: d => `剩 ${d} 天`, 'at-risk': '预警事项', none: '无',
    measures: '目标与节点', target: '目标值', baseline: '基线', latest: '最新报告', due: '截止',
    reported: '已报告', expectedLine: '预期进度', trend: '趋势预测', back: '← 返回总览',
    noReports: '尚无报告', milestone: '节点', counts: '状态统计', asOfShown: d => `截至 ${d}`,
    authNeeded: '需要 API 令牌：请在“访问令牌”中填入 viewer 令牌。', tokenRejected: '令牌无效、已过期或已撤销，请更换。',
    loading: '加载中…', taskNotFound: '未找到该任务。', textZh: '原文', lastReport: '最近报告',
    status_done: '已完成', 'status_on-track': '正常推进', 'status_at-risk': '有风险', 'status_off-track': '明显滞后',
    status_overdue: '逾期', 'status_no-data': '无数据',
    ms_notstarted: '未开始', 'ms_not-started': '未开始', 'ms_in-progress': '进行中', ms_done: '已完成',
    assessment: '单位考核排名', rank: '名次', score: '得分', onTimeFiling: '按时报送', completionVsExpected: '完成进度',
    notOverdue: '未逾期', instructionReplies: '督办按时回复', assessmentPeriod: (f, to) => `${f} 之后至 ${to}`,
    signedOff: '已销号',
    parts: '分项（各单位报告）', partValue: '数值', partUnit: '单位', partAsOf: '截至', sumOfParts: '合计各分项（牵头单位尚未报告）',
    role_co_operating: '配合单位', role_member: '成员单位',
  },
  en: {
    brand: 'Work plan tracker', plan: 'Plan', asOf: 'As of', token: 'Access token', tokenLabel: 'API token (viewer)',
    save: 'Save', clear: 'Clear', footer: 'Figures come from this service\'s public API.', apiDocs: 'API docs', langButton: '中文',
    overall: 'Overall completion', expected: 'Expected by now', verified: 'Verified completion', headline: 'Headline targets', headlineGroup: 'Headline targets carried by no task', sections: 'Completion by section', tasks: 'Tasks',
    section: 'Section', agency: 'Agency', all: 'All', showing: (n, t) => `Showing ${n} of ${t} tasks`,
    number: 'No.', title: 'Task', lead: 'Lead agencies', completion: 'Completion', status: 'Status',
    overdue: 'Overdue', overdueTotal: n => `${n} items`, daysOverdue: d => `${d} days overdue`, daysLeft: d => `${d} days left`, 'at-risk': 'At risk', none: 'None',
    measures: 'Targets and milestones', target: 'Target', baseline: 'Baseline', latest: 'Latest report', due: 'Due',
    reported: 'Reported', expectedLine: 'Expected', trend: 'Trend', back: '← Back to overview',
    noReports: 'No reports yet', milestone: 'Milestone', counts: 'Status counts', asOfShown: d => `As of ${d}`,
    authNeeded: 'An API token is needed: enter a viewer token under "Access token".', tokenRejected: 'The token is invalid, expired or revoked; enter another.',
    loading: 'Loading…', taskNotFound: 'No such task.', textZh: 'Source text (Chinese)', lastReport: 'Last report',
    status_done: 'Done', 'status_on-track': 'On track', 'status_at-risk': 'At risk', 'status_off-track': 'Off track',
    status_overdue: 'Overdue', 'status_no-data': 'No data',
    'ms_not-started': 'Not started', 'ms_in-progress': 'In progress', ms_done: 'Done',
    assessment: 'Agency assessment', rank: 'Rank', score: 'Score', onTimeFiling: 'On-time filing', completionVsExpected: 'Completion vs expected',
    notOverdue: 'Not overdue', instructionReplies: 'Replies on time', assessmentPeriod: (f, to) => `after ${f} up to ${to}`,
    signedOff: 'Signed off',
    parts: 'Parts (filed by agencies)', partValue: 'Value', partUnit: 'Unit', partAsOf: 'As of', sumOfParts: 'Sum of parts (the lead has filed nothing as recent)',
    role_co_operating: 'co-operating', role_member: 'member',
  },
};

const state = {
  lang: localStorage.getItem('tt.lang') === 'en' ? 'en' : 'zh',
  token: sessionStorage.getItem('tt.token') || '',
  plan: null,
  asOf: '',
  section: '',
  agency: '',
  agencies: null,
};

const t = (key, ...args) => {
  const v = TEXT[state.lang][key] ?? TEXT.zh[key] ?? key;
  return typeof v === 'function' ? v(...args) : v;
};
// An imported plan may carry empty English renderings (still to be translated): show the Chinese then.
const pick = (o, base) => (state.lang === 'en' && o[base + 'En']) || o[base + 'Zh'] || '';

/** The same rounding everywhere, so a figure on the page equals the API's value shown to one decimal. */
export const pct = v => (v === null || v === undefined ? '—' : (v * 100).toFixed(1) + '%');

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function api(path) {
  const headers = { Accept: 'application/json' };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const response = await fetch(path, { headers });
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON */ }
    throw new ApiError(response.status, problem);
  }
  return response.json();
}

function showMessage(text) {
  const box = $('#message');
  box.textContent = text;
  box.hidden = !text;
}

function showError(e) {
  if (e instanceof ApiError && e.status === 401) {
    showMessage(state.token ? t('tokenRejected') : t('authNeeded'));
    $('#token-box').open = true;
    $('#token').focus();
    document.body.dataset.auth = 'needed';
    return;
  }
  showMessage(e instanceof ApiError ? `${e.status}: ${e.message}` : String(e.message || e));
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'style') node.style.cssText = v; // through CSSOM: the CSP forbids inline style attributes
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function statusBadge(status, testid) {
  return el('span', { class: `badge status-${status}`, 'data-testid': testid, 'data-status': status }, t(`status_${status}`));
}

/** 销号: shown beside the status of a task or measure the office signed off. */
function signedOffBadge(so) {
  return so ? el('span', { class: 'badge signed-off', 'data-testid': 'signed-off', title: so.comment ?? '' }, `${t('signedOff')} ${so.at.slice(0, 10)}`) : null;
}

function progressBar(value, expected, label) {
  const v = value === null || value === undefined ? 0 : Math.max(0, Math.min(1, value));
  const bar = el('div', {
    class: 'progress', role: 'progressbar', 'aria-label': label,
    'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(v * 1000) / 10,
  }, el('div', { class: 'fill', style: `width:${(v * 100).toFixed(1)}%` }));
  if (expected !== null && expected !== undefined) {
    bar.append(el('div', { class: 'expected-mark', style: `left:${(Math.min(1, expected) * 100).toFixed(1)}%`, title: `${t('expected')} ${pct(expected)}` }));
  }
  return bar;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

function applyStaticText() {
  document.documentElement.lang = state.lang === 'en' ? 'en' : 'zh-CN';
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  $('#lang').textContent = t('langButton');
}

async function loadPlans() {
  const plans = await api('/api/plans');
  const select = $('#plan');
  select.replaceChildren(...plans.map(p => el('option', { value: p.code }, pick(p, 'title') || p.code)));
  const wanted = new URLSearchParams(location.search).get('plan');
  state.plan = plans.some(p => p.code === wanted) ? wanted
    : plans.some(p => p.code === 'guizhou-2025') ? 'guizhou-2025' : plans[0]?.code;
  select.value = state.plan ?? '';
}

async function agencies() {
  state.agencies ??= await api('/api/agencies');
  return state.agencies;
}

// ---------- overview ----------

async function renderOverview(app) {
  const asOf = query({ asOf: state.asOf });
  const [dash, overdue, atRisk, agencyList, agencyTasks] = await Promise.all([
    api(`/api/plans/${encodeURIComponent(state.plan)}/dashboard${asOf}`),
    api(`/api/plans/${encodeURIComponent(state.plan)}/overdue${asOf}`),
    api(`/api/plans/${encodeURIComponent(state.plan)}/at-risk${asOf}`),
    agencies(),
    // The agency filter uses the API's own notion of responsibility (lead or co-operating, groups resolved).
    state.agency ? api(`/api/plans/${encodeURIComponent(state.plan)}/tasks${query({ agency: state.agency, pageSize: 200 })}`) : null,
  ]);
  $('#plan-title').textContent = pick(dash, 'title');
  document.title = `${pick(dash, 'title')} — TaskTracker`;

  const allowed = agencyTasks ? new Set(agencyTasks.items.map(x => x.number)) : null;
  const tasks = dash.tasks.filter(x => (!state.section || String(x.section) === state.section) && (!allowed || allowed.has(x.number)));

  const summary = el('section', { class: 'card summary', 'aria-labelledby': 'h-overall' },
    el('h2', { id: 'h-overall' }, t('overall')),
    el('p', { class: 'big', 'data-testid': 'overall-completion' }, pct(dash.completion)),
    progressBar(dash.completion, dash.expected, t('overall')),
    el('p', { class: 'muted' }, `${t('expected')}: `, el('span', { 'data-testid': 'overall-expected' }, pct(dash.expected)), ' · ',
      el('span', { 'data-testid': 'as-of-shown' }, t('asOfShown', dash.asOf)), ' · ', statusBadge(dash.status, 'overall-status')),
    el('p', { class: 'muted' }, `${t('verified')}: `, el('span', { 'data-testid': 'overall-verified' }, pct(dash.verifiedCompletion))),
    el('h3', {}, t('counts')),
    el('ul', { class: 'counts', 'data-testid': 'task-counts' },
      Object.entries({ done: dash.taskCounts.done, 'on-track': dash.taskCounts.onTrack, 'at-risk': dash.taskCounts.atRisk,
        'off-track': dash.taskCounts.offTrack, overdue: dash.taskCounts.overdue, 'no-data': dash.taskCounts.noData })
        .map(([s, n]) => el('li', { 'data-status': s }, statusBadge(s), ' ', el('strong', {}, n)))));

  const sections = el('section', { class: 'card', 'aria-labelledby': 'h-sections' },
    el('h2', { id: 'h-sections' }, t('sections')),
    el('ol', { class: 'sections' }, dash.sections.map(s =>
      el('li', { 'data-testid': 'section-row', 'data-section': s.number },
        el('span', { class: 'label' }, `${s.numeral}、${pick(s, 'title')}`),
        progressBar(s.completion, s.expected, pick(s, 'title')),
        el('span', { class: 'value', 'data-testid': 'section-completion' }, pct(s.completion)),
        statusBadge(s.status, 'section-status')))));

  const sectionSelect = el('select', { id: 'f-section', 'data-testid': 'filter-section', onchange: e => { state.section = e.target.value; render(); } },
    el('option', { value: '' }, t('all')),
    dash.sections.map(s => el('option', { value: String(s.number) }, `${s.numeral}、${pick(s, 'title')}`)));
  sectionSelect.value = state.section;
  const agencySelect = el('select', { id: 'f-agency', 'data-testid': 'filter-agency', onchange: e => { state.agency = e.target.value; render(); } },
    el('option', { value: '' }, t('all')),
    agencyList.map(a => el('option', { value: a.code }, pick(a, 'name'))));
  agencySelect.value = state.agency;

  const rows = tasks.map(x => el('tr', { 'data-testid': 'task-row', 'data-number': x.number, 'data-section': x.section },
    el('td', { class: 'num' }, x.numeral),
    el('td', {}, el('a', { href: `#/tasks/${x.number}`, 'data-testid': 'task-link' }, pick(x, 'title'))),
    el('td', { class: 'agencies' }, x.leadAgencies.map(a => pick(a, 'name')).join('、')),
    el('td', { class: 'bar' }, progressBar(x.completion, x.expected, pick(x, 'title'))),
    el('td', { class: 'value', 'data-testid': 'task-completion' }, pct(x.completion)),
    el('td', {}, statusBadge(x.status, 'task-status'))));

  const taskTable = el('section', { class: 'card wide', 'aria-labelledby': 'h-tasks' },
    el('h2', { id: 'h-tasks' }, t('tasks')),
    el('div', { class: 'filters' },
      el('label', { for: 'f-section' }, t('section')), sectionSelect,
      el('label', { for: 'f-agency' }, t('agency')), agencySelect,
      el('span', { class: 'muted', 'data-testid': 'task-count', 'data-count': tasks.length }, t('showing', tasks.length, dash.tasks.length))),
    el('table', { class: 'tasks', 'data-testid': 'task-table' },
      el('thead', {}, el('tr', {}, ['number', 'title', 'lead', '', 'completion', 'status'].map(h => el('th', { scope: 'col' }, h ? t(h) : '')))),
      el('tbody', {}, rows)));

  // Headline targets (主要目标): each with its figure, the task that carries it, and the group of those no task carries.
  const headline = el('section', { class: 'card wide', 'aria-labelledby': 'h-headline', 'data-testid': 'headline' },
    el('h2', { id: 'h-headline' }, t('headline')),
    el('ul', { class: 'headline' }, dash.headline.map(h =>
      el('li', { 'data-testid': 'headline-row', 'data-code': h.code },
        el('strong', {}, h.code), ' ', pick(h, 'title'), ' ',
        el('span', { class: 'muted' }, `${h.targetValue ?? ''}${h.unit ?? ''}`), ' ',
        el('span', { 'data-testid': 'headline-completion' }, pct(h.completion)), ' ',
        h.taskNumber ? el('a', { href: `#/tasks/${h.taskNumber}` }, `(${h.taskNumber})`) : null, ' ',
        statusBadge(h.status, 'headline-status')))),
    dash.headlineGroup ? el('p', { 'data-testid': 'headline-group' }, `${t('headlineGroup')} (${dash.headlineGroup.codes.join('、')}): `,
      el('span', { 'data-testid': 'headline-group-completion' }, pct(dash.headlineGroup.completion))) : null);

  const overduePanel = reviewPanel('overdue', overdue);
  const atRiskPanel = reviewPanel('at-risk', atRisk);
  const assessment = await assessmentPanel(dash);

  app.replaceChildren(el('div', { class: 'grid' }, summary, sections, headline, overduePanel, atRiskPanel, assessment, taskTable));
}

/** The office's 考核 ranking from the plan's start to the date shown; other callers get 401/403 and see no panel. */
async function assessmentPanel(dash) {
  const start = new Date(Date.parse(dash.periodStart + 'T00:00:00Z') - 86400000).toISOString().slice(0, 10);
  if (dash.asOf <= start) return null;
  let a;
  try {
    a = await api(`/api/plans/${encodeURIComponent(state.plan)}/assessment${query({ from: start, to: dash.asOf })}`);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
    throw e;
  }
  const part = p => el('td', { class: 'value', title: `${p.numerator}/${p.denominator}` }, pct(p.value));
  return el('section', { class: 'card wide', 'aria-labelledby': 'h-assessment', 'data-testid': 'assessment-panel' },
    el('h2', { id: 'h-assessment' }, t('assessment'), ' ', el('span', { class: 'muted' }, t('assessmentPeriod', a.from, a.to))),
    el('table', { class: 'tasks', 'data-testid': 'assessment-table' },
      el('thead', {}, el('tr', {}, ['rank', 'agency', 'score', 'onTimeFiling', 'completionVsExpected', 'notOverdue', 'instructionReplies']
        .map(h => el('th', { scope: 'col' }, t(h))))),
      el('tbody', {}, a.agencies.map(x => el('tr', { 'data-testid': 'assessment-row', 'data-agency': x.agency, 'data-rank': x.rank },
        el('td', { class: 'num' }, x.rank), el('td', {}, pick(x, 'name')),
        el('td', { class: 'value', 'data-testid': 'assessment-score' }, x.score.toFixed(2)),
        part(x.onTimeFiling), part(x.completion), part(x.overdue), part(x.instructionReplies))))));
}

/** One of the office's review lists (overdue, at risk), worst first as the API sorts it. */
function reviewPanel(name, list) {
  const items = list.items.slice(0, 30);
  return el('section', { class: 'card review', 'aria-labelledby': `h-${name}`, 'data-testid': `${name}-panel` },
    el('h2', { id: `h-${name}` }, t(name), ' ', el('span', { class: 'muted', 'data-testid': `${name}-total`, 'data-total': list.total }, t('overdueTotal', list.total))),
    items.length === 0 ? el('p', {}, t('none')) :
      el('ul', {}, items.map(i => el('li', { 'data-testid': `${name}-item`, 'data-kind': i.kind, 'data-code': i.code ?? '', 'data-severity': i.severity },
        el('span', { class: `sev sev-${i.severity}`, 'aria-hidden': 'true' }),
        i.taskNumber ? el('a', { href: `#/tasks/${i.taskNumber}` }, `${i.code ?? `#${i.taskNumber}`} `) : `${i.code ?? ''} `,
        pick(i, 'title'), ' — ', el('span', { class: 'muted' },
          `${t('due')} ${i.deadline}, ${i.daysOverdue >= 0 ? t('daysOverdue', i.daysOverdue) : t('daysLeft', -i.daysOverdue)}`)))));
}

// ---------- task page ----------

function chart(series) {
  const w = 560, h = 220, pad = { l: 56, r: 16, t: 14, b: 30 };
  const day = d => Date.parse(d + 'T00:00:00Z');
  const points = [...series.reported, ...series.expected, ...series.trend];
  const x0 = day(series.start), x1 = Math.max(day(series.dueDate), ...points.map(p => day(p.date)));
  const values = points.map(p => Number(p.value)).concat([Number(series.targetValue), Number(series.baseline ?? 0)]);
  let y0 = Math.min(0, ...values), y1 = Math.max(...values);
  if (y1 === y0) y1 = y0 + 1;
  const X = d => pad.l + ((day(d) - x0) / Math.max(1, x1 - x0)) * (w - pad.l - pad.r);
  const Y = v => h - pad.b - ((Number(v) - y0) / (y1 - y0)) * (h - pad.t - pad.b);
  const s = (tag, attrs, ...kids) => {
    const n = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
    for (const k of kids) n.append(k);
    return n;
  };
  const line = (pts, cls, testid) => s('polyline', { class: cls, 'data-testid': testid, points: pts.map(p => `${X(p.date).toFixed(1)},${Y(p.value).toFixed(1)}`).join(' ') });
  const svg = s('svg', { viewBox: `0 0 ${w} ${h}`, class: 'chart', role: 'img', 'data-testid': 'chart', 'data-target': series.code,
    'aria-label': `${pick(series, 'metric')}: ${t('reported')} ${series.reported.length}` });
  svg.append(s('line', { class: 'axis', x1: pad.l, y1: h - pad.b, x2: w - pad.r, y2: h - pad.b }));
  svg.append(s('line', { class: 'axis', x1: pad.l, y1: pad.t, x2: pad.l, y2: h - pad.b }));
  svg.append(s('line', { class: 'goal', x1: pad.l, x2: w - pad.r, y1: Y(series.targetValue), y2: Y(series.targetValue) }));
  svg.append(s('text', { x: pad.l - 6, y: Y(series.targetValue) + 4, 'text-anchor': 'end', class: 'tick' }, String(series.targetValue)));
  svg.append(s('text', { x: pad.l - 6, y: Y(y0) + 4, 'text-anchor': 'end', class: 'tick' }, String(y0)));
  svg.append(s('text', { x: pad.l, y: h - 8, class: 'tick' }, series.start));
  svg.append(s('text', { x: w - pad.r, y: h - 8, 'text-anchor': 'end', class: 'tick' }, series.dueDate));
  if (series.expected.length) svg.append(line(series.expected, 'expected', 'expected-line'));
  if (series.trend.length) svg.append(line(series.trend, 'trend', 'trend-line'));
  if (series.reported.length > 1) svg.append(line(series.reported, 'reported', 'reported-line'));
  for (const p of series.reported) {
    svg.append(s('circle', { class: 'point', cx: X(p.date).toFixed(1), cy: Y(p.value).toFixed(1), r: 4, 'data-testid': 'reported-point', 'data-value': p.value, 'data-date': p.date },
      s('title', {}, `${p.date}: ${p.value} ${series.unit}`)));
  }
  return svg;
}

async function renderTask(app, number) {
  const plan = encodeURIComponent(state.plan);
  const asOf = query({ asOf: state.asOf });
  let task;
  try {
    task = await api(`/api/plans/${plan}/tasks/${number}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) { app.replaceChildren(el('p', { 'data-testid': 'task-missing' }, t('taskNotFound'))); return; }
    throw e;
  }
  const dash = await api(`/api/plans/${plan}/dashboard${asOf}`);
  $('#plan-title').textContent = pick(dash, 'title');
  const figure = dash.tasks.find(x => x.number === task.number);
  const byId = new Map((figure?.measures ?? []).map(m => [m.id, m]));
  const series = await Promise.all(task.targets.map(x => api(`/api/targets/${x.id}/series${asOf}`)));

  const head = el('section', { class: 'card wide', 'data-testid': 'task-page', 'data-number': task.number },
    el('p', {}, el('a', { href: '#/', 'data-testid': 'back' }, t('back'))),
    el('h2', { 'data-testid': 'task-title' }, `${task.numeral} ${pick(task, 'title')}`),
    figure ? el('p', {}, `${t('completion')}: `, el('strong', { 'data-testid': 'task-page-completion' }, pct(figure.completion)), ' · ',
      `${t('verified')}: `, el('strong', { 'data-testid': 'task-page-verified' }, pct(figure.verifiedCompletion)), ' ',
      `(${t('expected')} ${pct(figure.expected)}) `, statusBadge(figure.status, 'task-page-status'), ' ', signedOffBadge(figure.signedOff)) : null,
    figure ? progressBar(figure.completion, figure.expected, pick(task, 'title')) : null,
    el('p', { class: 'lead-agencies' }, `${t('agency')}: `, task.agencies.map(a => pick(a, 'name')).join('、')),
    state.lang === 'en' && task.summaryEn ? el('p', { class: 'summary-en' }, task.summaryEn) : null,
    el('details', {}, el('summary', {}, t('textZh')), el('p', { lang: 'zh-CN' }, task.textZh)));

  const targetCards = task.targets.map((x, i) => {
    const f = byId.get(x.id);
    const sr = series[i];
    return el('article', { class: 'card measure', 'data-testid': 'target-card', 'data-code': x.code },
      el('h3', {}, `${x.code} ${pick(x, 'metric')}`),
      el('p', { class: 'muted' }, `${t('target')} ${x.valueAsWritten ?? `${x.value} ${x.unit}`}`,
        x.baseline ? ` · ${t('baseline')} ${x.baseline.value} (${x.baseline.asOf ?? ''})` : '', ` · ${t('due')} ${x.dueDate}`),
      f ? el('p', {}, `${t('latest')}: `, f.latestValue === null ? t('noReports') : `${f.latestValue} ${x.unit} (${f.latestAsOf})`, ' · ',
        el('span', { 'data-testid': 'target-completion' }, pct(f.completion)), ` · ${t('verified')} `,
        el('span', { 'data-testid': 'target-verified' }, pct(f.verifiedCompletion)), ' ', statusBadge(f.status, 'target-status'), ' ', signedOffBadge(f.signedOff)) : null,
      f ? partsTable(f, x.unit) : null,
      chart(sr),
      el('p', { class: 'legend' }, el('span', { class: 'key reported' }), t('reported'), el('span', { class: 'key expected' }), t('expectedLine'),
        el('span', { class: 'key trend' }), t('trend')));
  });

  const milestones = task.milestones.length === 0 ? null : el('section', { class: 'card wide' },
    el('h3', {}, t('milestone')),
    el('ul', { class: 'milestones' }, task.milestones.map(m => {
      const f = byId.get(m.id);
      return el('li', { 'data-testid': 'milestone-row', 'data-code': m.code },
        `${m.code} ${pick(m, 'title')} — ${t('due')} ${m.dueDate} `,
        f?.latestStatus ? el('span', { class: 'muted' }, `${t(`ms_${f.latestStatus}`)} `) : null,
        f?.instancesTotal ? el('span', { class: 'muted' }, `${f.instancesDone}/${f.instancesTotal} `) : null,
        f ? statusBadge(f.status, 'milestone-status') : null, ' ', signedOffBadge(f?.signedOff),
        f?.steps ? stepsList(f.steps) : null);
    })));

  app.replaceChildren(el('div', { class: 'grid' }, head, el('h2', { class: 'wide' }, t('measures')), ...targetCards, milestones));
}

// The parts (分项) co-operating agencies and group members filed, beside the figure; labelled when their sum is the figure.
function partsTable(f, unit) {
  const parts = f.parts ?? [];
  if (parts.length === 0) return null;
  const sum = f.figureSource === 'sum-of-parts';
  return el('div', { class: 'table-scroll parts', 'data-testid': 'parts', 'data-figure-source': f.figureSource ?? '' },
    sum ? el('p', { class: 'muted', 'data-testid': 'sum-of-parts' }, t('sumOfParts')) : null,
    el('table', { class: 'parts-table' },
      el('caption', {}, t('parts')),
      el('thead', {}, el('tr', {}, ['agency', 'partValue', 'partUnit', 'partAsOf'].map(h => el('th', { scope: 'col' }, t(h))))),
      el('tbody', {}, parts.map(p => el('tr', { 'data-testid': 'part-row', 'data-agency': p.agency.code, 'data-role': p.role },
        el('td', {}, pick(p.agency, 'name'), ' ', el('span', { class: 'muted' }, t(`role_${p.role.replace('-', '_')}`))),
        el('td', { class: 'value', 'data-testid': 'part-value' }, p.value ?? (p.status ? t(`ms_${p.status}`) : '—')),
        el('td', {}, unit ?? ''),
        el('td', { class: 'date', 'data-testid': 'part-as-of' }, p.asOf))))));
}

// Milestone steps (节点) under a milestone row: each with its due date, and its done date or a late mark.
function stepsList(steps) {
  return el('ol', { class: 'steps', 'data-testid': 'milestone-steps' }, steps.map(s =>
    el('li', { 'data-testid': 'milestone-step', 'data-number': s.number, 'data-done': String(s.done), 'data-late': String(s.late) },
      `${s.done ? '✓' : s.late ? '!' : '·'} ${s.title} — ${t('due')} ${s.due}${s.doneOn ? ` (${s.doneOn})` : ''}`)));
}

// ---------- routing ----------

let renderSeq = 0;
async function render() {
  if (location.hash.startsWith('#/w/')) {
    // Work views (work.js) render themselves, but the plan list in the header is still needed (a deep link lands here first).
    applyStaticText();
    if (!state.plan) await loadPlans().catch(showError);
    return;
  }
  const seq = ++renderSeq;
  const app = $('#app');
  applyStaticText();
  showMessage('');
  document.body.dataset.ready = 'false';
  try {
    if (!state.plan) await loadPlans();
    if (!state.plan) { app.replaceChildren(el('p', {}, t('none'))); return; }
    const m = location.hash.match(/^#\/tasks\/(\d+)$/);
    const target = document.createElement('div');
    if (m) await renderTask(target, Number(m[1]));
    else await renderOverview(target);
    if (seq !== renderSeq) return; // a newer render started meanwhile
    app.replaceChildren(...target.childNodes);
    delete document.body.dataset.auth;
  } catch (e) {
    if (seq === renderSeq) { app.replaceChildren(); showError(e); }
  } finally {
    if (seq === renderSeq) document.body.dataset.ready = 'true';
  }
}

function init() {
  $('#lang').addEventListener('click', () => {
    state.lang = state.lang === 'en' ? 'zh' : 'en';
    localStorage.setItem('tt.lang', state.lang);
    render();
  });
  $('#plan').addEventListener('change', e => { state.plan = e.target.value; state.section = ''; render(); });
  $('#asof').addEventListener('change', e => { state.asOf = e.target.value; render(); });
  $('#token').value = state.token;
  $('#token-save').addEventListener('click', () => {
    state.token = $('#token').value.trim();
    sessionStorage.setItem('tt.token', state.token);
    state.agencies = null;
    render();
  });
  $('#token-clear').addEventListener('click', () => {
    state.token = '';
    $('#token').value = '';
    sessionStorage.removeItem('tt.token');
    render();
  });
  $('#controls').addEventListener('submit', e => e.preventDefault());
  window.addEventListener('hashchange', render);
  render();
}

init();
