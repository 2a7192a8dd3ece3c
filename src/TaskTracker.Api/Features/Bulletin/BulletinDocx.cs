using DocumentFormat.OpenXml.Wordprocessing;
using static TaskTracker.Common.GovDocx;


namespace TaskTracker.Features.Bulletin;

/// <summary>
/// The 督查通报 as a Word document laid out like a Chinese government notice: red masthead with the issuing office over
/// a red rule, the title, the sections with their tables, the office and date at the end. The layout, fonts and page
/// are the house's (<see cref="Common.GovDocx"/>); this says what the bulletin says.
/// </summary>
internal static class BulletinDocx
{
    public static byte[] Write(BulletinContent c, string number) => GovDocx.Write(body =>
        {
            // Masthead: red, large, centred; then the issue line and a red rule.
            body.Append(Para(Run("督 查 通 报", Song, 88, color: Red), JustificationValues.Center, after: 120));
            body.Append(Para(Run(number, FangSong, 32), JustificationValues.Center, after: 0));
            body.Append(Para([Run(BulletinContent.IssuingOffice, FangSong, 32), Run("\u3000\u3000", FangSong, 32), Run(BulletinContent.Date(c.To), FangSong, 32)],
                JustificationValues.Center, after: 240, redRule: true));
            body.Append(Para(Run($"关于《{c.Plan.TitleZh}》落实情况的督查通报", Song, 44), JustificationValues.Center, after: 240, before: 240));
            body.Append(Para(Run("各有关单位：", FangSong, 32), JustificationValues.Left));
            body.Append(Body($"根据督查工作安排，现将{BulletinContent.Date(c.From)}后至{BulletinContent.Date(c.To)}《{c.Plan.TitleZh}》落实情况通报如下。"));

            var tables = c.Tables();
            body.Append(Heading("一、总体进展"));
            body.Append(Body(c.Overview()));
            body.Append(Table(tables[0]));
            body.Append(Heading("二、分领域进展"));
            body.Append(Table(tables[1]));
            body.Append(Heading("三、单位考核排名"));
            body.Append(Body($"按照按时报送率、完成进度、逾期事项、督办按时回复率加权计分（权重分别为{c.Assessment.Weights.OnTimeFiling:0.##}、{c.Assessment.Weights.Completion:0.##}、" +
                             $"{c.Assessment.Weights.Overdue:0.##}、{c.Assessment.Weights.InstructionReplies:0.##}），各牵头单位得分及排名如下。"));
            body.Append(Table(tables[2]));
            body.Append(Heading("四、新增逾期、本期完成和销号事项"));
            body.Append(SubHeading("（一）新增逾期事项"));
            body.Append(tables[3].Rows.Count == 0 ? Body("本期无新增逾期事项。") : Table(tables[3]));
            body.Append(SubHeading("（二）本期完成事项"));
            body.Append(tables[4].Rows.Count == 0 ? Body("本期无新完成事项。") : Table(tables[4]));
            body.Append(SubHeading("（三）本期销号事项"));
            body.Append(tables[6].Rows.Count == 0 ? Body("本期无销号事项。") : Table(tables[6]));
            body.Append(Heading("五、未办结督办事项"));
            body.Append(tables[5].Rows.Count == 0 ? Body("截至通报日，督办事项均已办结。") : Table(tables[5]));
            body.Append(Body("请各有关单位对照通报问题，逐项抓好整改落实，逾期事项请于5个工作日内报送整改情况。"));
            body.Append(Para(Run(BulletinContent.IssuingOffice, FangSong, 32), JustificationValues.Right, before: 480));
            body.Append(Para(Run(BulletinContent.Date(c.To), FangSong, 32), JustificationValues.Right));
        });

    private static Paragraph Body(string text) => BodyText(text);

    private static Table Table((string Title, string[] Header, IReadOnlyList<string[]> Rows) t) => GovDocx.Table(t.Title, t.Header, t.Rows);
}
