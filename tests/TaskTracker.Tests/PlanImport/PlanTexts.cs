namespace TaskTracker.Tests.PlanImport;

/// <summary>
/// Plan texts written by the team for these tests (no copied documents), one per convention the importer must
/// understand, and a small agencies catalogue they share.
/// </summary>
internal static class PlanTexts
{
    /// <summary>1. numbering; （牵头单位：…；责任单位：…）; a standing note before the first section; 万, 不少于, 每季度, 累计, 等.</summary>
    public const string CityArabicDot = """
        示范市2026年数字经济工作要点

        2026年，全市数字经济核心产业增加值增长12%以上，新建5G基站不少于3000个。

        （以下均需各区县人民政府负责，不再单独列出）

        一、夯实数字基础设施

        1. 推进算力设施建设。新建数据中心机架不少于2万个。（牵头单位：市数据局；责任单位：市发展改革委、市通信管理办）

        2. 完善城市感知网络。每季度发布城市感知设施建设清单。建成城市感知平台。（牵头单位：市住房城乡建设局；责任单位：市数据局）

        二、培育数字产业

        3. 壮大软件产业。软件业务收入达到350亿元。培育规模以上软件企业累计达120家。（责任单位：市工业和信息化局、市数据局等）

        市数字经济发展领导小组办公室定期调度各项任务进展。
        """;

    /// <summary>（1） numbering without sections; （A牵头，B配合）; （A、B按职责分工负责）; 超过, 左右, 亿元, 新增; a deadline
    /// in the text; an agency not in the catalogue; a task without any responsibility bracket.</summary>
    public const string CountyArabicParen = """
        示例县2027年数字乡村建设要点

        （1）建设县级数据平台。2027年6月底前建成县级数据共享平台。（县数据中心牵头，县财政局配合）

        （2）发展农村电商。农村网络零售额超过5亿元，新增电商主体300户左右。（县商务局、县农业农村局按职责分工负责）

        （3）提升治理能力。开展数字乡村试点。
        """;

    /// <summary>(一) half-width numbering; (责任单位:…) with a half-width colon; a standing note inside a task that applies
    /// from the next task on; 突破 with 万; 左右 with 人次; a line broken by a page break inside a sentence.</summary>
    public const string PrefectureHalfWidth = """
        样例州2028年大数据工作要点

        一、数据要素

        (一)开放公共数据。公共数据开放数据集累计突破1.2万个。(责任单位:州数据局)(以下均需各县人民政府负责，不再单独列出)

        (二)培训数字人才。组织开展数字技能培训，培训数字技能人才8000人次左右。编制数字人才发展

        规划。(责任单位:州人力资源社会保障局)
        """;

    public const string Catalogue = """
        { "agencies": [
          { "code": "city-data-bureau", "nameZh": "示范市数据局", "shortNameZh": "市数据局", "aliases": ["市数据局"], "nameEn": "City Data Bureau", "kind": "provincial-department", "members": [] },
          { "code": "city-drc", "nameZh": "示范市发展和改革委员会", "shortNameZh": "市发展改革委", "aliases": ["市发展改革委"], "nameEn": "City DRC", "kind": "provincial-department", "members": [] },
          { "code": "city-comms", "nameZh": "示范市通信管理办公室", "shortNameZh": "市通信管理办", "aliases": [], "nameEn": "City Communications Office", "kind": "central-branch", "members": [] },
          { "code": "city-housing", "nameZh": "示范市住房和城乡建设局", "shortNameZh": "市住房城乡建设局", "aliases": [], "nameEn": "City Housing Bureau", "kind": "provincial-department", "members": [] },
          { "code": "city-industry", "nameZh": "示范市工业和信息化局", "shortNameZh": "市工业和信息化局", "aliases": [], "nameEn": "City Industry Bureau", "kind": "provincial-department", "members": [] },
          { "code": "east-district", "nameZh": "东区人民政府", "shortNameZh": "东区人民政府", "aliases": [], "nameEn": "East District", "kind": "city-government", "members": [] },
          { "code": "district-governments", "nameZh": "各区县人民政府", "shortNameZh": "各区县人民政府", "aliases": [], "nameEn": "District and county governments", "kind": "group", "members": ["east-district"] },
          { "code": "county-data-center", "nameZh": "示例县大数据中心", "shortNameZh": "县数据中心", "aliases": [], "nameEn": "County Data Center", "kind": "public-institution", "members": [] },
          { "code": "county-commerce", "nameZh": "示例县商务局", "shortNameZh": "县商务局", "aliases": [], "nameEn": "County Commerce Bureau", "kind": "provincial-department", "members": [] },
          { "code": "county-agriculture", "nameZh": "示例县农业农村局", "shortNameZh": "县农业农村局", "aliases": [], "nameEn": "County Agriculture Bureau", "kind": "provincial-department", "members": [] },
          { "code": "pref-data-bureau", "nameZh": "样例州数据局", "shortNameZh": "州数据局", "aliases": [], "nameEn": "Prefecture Data Bureau", "kind": "provincial-department", "members": [] },
          { "code": "pref-hrss", "nameZh": "样例州人力资源和社会保障局", "shortNameZh": "州人力资源社会保障局", "aliases": [], "nameEn": "Prefecture HRSS Bureau", "kind": "provincial-department", "members": [] },
          { "code": "county-governments", "nameZh": "各县人民政府", "shortNameZh": "各县人民政府", "aliases": [], "nameEn": "County governments", "kind": "group", "members": [] }
        ] }
        """;
}
