namespace TaskTracker.Features.Bulletin;

/// <summary>The bulletin's tables as a workbook (the house's <see cref="Common.Xlsx"/>), one sheet per table, in the same order and with the same text.</summary>
internal static class BulletinXlsx
{
    public static byte[] Write(BulletinContent c)
    {
        var meta = new[] { new[] { "督查通报", $"《{c.Plan.TitleZh}》" }, ["发文单位", BulletinContent.IssuingOffice],
            ["统计期间", $"{c.From:yyyy-MM-dd} 后至 {c.To:yyyy-MM-dd}"], ["概述", c.Overview()] };
        return Xlsx.Write([new("通报", ["项目", "内容"], meta), .. c.Tables().Select(t => new Xlsx.Sheet(t.Title, t.Header, t.Rows))]);
    }
}
