"""Static material for the demo city: departments, units, description templates, names.

Every organisation, person and event here is fictional; names are built from common words.
"""
from dataclasses import dataclass

from hazardwatch.core.choices import Sector

S = Sector

CITY = "410100"

# County-level divisions of Zhengzhou: code → (address prefix, short name used in department names,
# English short name, relative weight of reports, main roads).
COUNTIES: dict[str, tuple[str, str, str, float, tuple[str, ...]]] = {
    "410102": ("郑州市中原区", "郑州市中原区", "Zhongyuan District", 1.2,
               ("建设路", "中原路", "桐柏路", "伏牛路", "棉纺路", "航海西路", "须水河路")),
    "410103": ("郑州市二七区", "郑州市二七区", "Erqi District", 1.2,
               ("大学路", "淮河路", "京广路", "嵩山路", "航海中路", "解放路", "民主路")),
    "410104": ("郑州市管城回族区", "郑州市管城回族区", "Guancheng Hui District", 1.0,
               ("商城路", "紫荆山路", "城东路", "南三环", "航海东路", "郑汴路")),
    "410105": ("郑州市金水区", "郑州市金水区", "Jinshui District", 1.7,
               ("花园路", "农业路", "经三路", "文化路", "东风路", "金水路", "未来路", "纬五路")),
    "410106": ("郑州市上街区", "郑州市上街区", "Shangjie District", 0.45,
               ("济源路", "中心路", "新安路", "工业路", "淮阳路")),
    "410108": ("郑州市惠济区", "郑州市惠济区", "Huiji District", 0.8,
               ("江山路", "长兴路", "天河路", "开元路", "文化北路")),
    "410122": ("郑州市中牟县", "中牟县", "Zhongmou County", 0.7,
               ("青年路", "广惠街", "解放路", "官渡大道")),
    "410181": ("郑州市巩义市", "巩义市", "Gongyi City", 0.7,
               ("新华路", "杜甫路", "嵩山路", "人民路")),
    "410182": ("郑州市荥阳市", "荥阳市", "Xingyang City", 0.7,
               ("索河路", "京城路", "郑上路", "演武路")),
    "410183": ("郑州市新密市", "新密市", "Xinmi City", 0.6,
               ("青屏大街", "嵩山大道", "开阳路", "溱水路")),
    "410184": ("郑州市新郑市", "新郑市", "Xinzheng City", 0.7,
               ("新建路", "人民路", "中华路", "轩辕路")),
    "410185": ("郑州市登封市", "登封市", "Dengfeng City", 0.6,
               ("中岳大街", "少林大道", "嵩阳路", "书院河路")),
}

# Departments: key → (name suffix at city level, at county level, English at city, English at county, sectors).
EM_SECTORS = [S.INDUSTRY_TRADE, S.HAZARDOUS_CHEMICALS, S.FIREWORKS, S.MINING, S.ELECTRICAL,
              S.HOUSEHOLD_COMMUNITY, S.OTHER]
DEPARTMENTS: dict[str, tuple[str, str, str, str, list[str]]] = {
    "em": ("应急管理局", "应急管理局", "Emergency Management Bureau", "Emergency Management Bureau", EM_SECTORS),
    "fire": ("消防救援支队", "消防救援大队", "Fire and Rescue Detachment", "Fire and Rescue Brigade", [S.FIRE]),
    "hc": ("住房和城乡建设局", "住房和城乡建设局", "Housing and Urban-Rural Development Bureau",
           "Housing and Urban-Rural Development Bureau", [S.CONSTRUCTION, S.GAS]),
    "tr": ("交通运输局", "交通运输局", "Transport Bureau", "Transport Bureau", [S.ROAD_TRANSPORT]),
    "sm": ("市场监督管理局", "市场监督管理局", "Market Supervision Administration", "Market Supervision Administration",
           [S.SPECIAL_EQUIPMENT]),
}
# OrgPolicy variants (general days, major days, acceptance days), picked per department.
POLICIES = [(15, 90, 7), (15, 90, 7), (15, 90, 7), (10, 60, 5), (20, 90, 7), (15, 120, 10), (30, 90, 7)]

CAMPAIGN_OFFICE = ("郑州市安全生产月活动办公室", "Zhengzhou Safety Production Month Office")


@dataclass(frozen=True)
class UnitSpec:
    """A non-regulator organisation: enterprise, school or community."""

    kind: str  # enterprise | school | community
    name: str
    name_en: str
    township: str  # 9-digit township code
    sector: str = ""
    place: str = ""  # how reporters call the place, used in descriptions
    place_kind: str = ""  # which description templates fit


ENTERPRISES = [
    # 金水区
    UnitSpec("enterprise", "郑州金鼎商贸有限公司", "Zhengzhou Jinding Trading Co., Ltd.", "410105002",
             S.INDUSTRY_TRADE, "金鼎购物广场", "mall"),
    UnitSpec("enterprise", "河南豫瑞建设工程有限公司", "Henan Yurui Construction Engineering Co., Ltd.", "410105012",
             S.CONSTRUCTION, "豫瑞·未来里项目", "site"),
    UnitSpec("enterprise", "郑州东瑞酒店管理有限公司", "Zhengzhou Dongrui Hotel Management Co., Ltd.", "410105010",
             S.OTHER, "东瑞快捷酒店", "hotel"),
    UnitSpec("enterprise", "郑州味之源餐饮管理有限公司", "Zhengzhou Weizhiyuan Catering Management Co., Ltd.", "410105008",
             S.GAS, "味之源烩面馆", "restaurant"),
    # 中原区
    UnitSpec("enterprise", "郑州中原棉纺印染有限公司", "Zhengzhou Zhongyuan Cotton Dyeing Co., Ltd.", "410102003",
             S.INDUSTRY_TRADE, "中原棉纺印染厂", "factory"),
    UnitSpec("enterprise", "郑州豫燃液化气有限公司", "Zhengzhou Yuran LPG Co., Ltd.", "410102011",
             S.GAS, "豫燃液化气充装站", "lpg"),
    # 二七区
    UnitSpec("enterprise", "郑州德润商业管理有限公司", "Zhengzhou Derun Commercial Management Co., Ltd.", "410103010",
             S.INDUSTRY_TRADE, "德润商城", "mall"),
    UnitSpec("enterprise", "郑州马寨恒力机械制造有限公司", "Zhengzhou Mazhai Hengli Machinery Co., Ltd.", "410103100",
             S.INDUSTRY_TRADE, "恒力机械厂", "factory"),
    UnitSpec("enterprise", "郑州通达捷运客运有限公司", "Zhengzhou Tongda Jieyun Passenger Transport Co., Ltd.", "410103001",
             S.ROAD_TRANSPORT, "通达捷运客运站", "coach"),
    # 管城回族区
    UnitSpec("enterprise", "郑州南曹冷链物流有限公司", "Zhengzhou Nancao Cold Chain Logistics Co., Ltd.", "410104011",
             S.INDUSTRY_TRADE, "南曹冷链物流园", "warehouse"),
    UnitSpec("enterprise", "郑州圃田新型建材有限公司", "Zhengzhou Putian New Building Materials Co., Ltd.", "410104202",
             S.INDUSTRY_TRADE, "圃田建材厂", "factory"),
    # 上街区
    UnitSpec("enterprise", "郑州上街恒通铝材有限公司", "Zhengzhou Shangjie Hengtong Aluminium Co., Ltd.", "410106004",
             S.INDUSTRY_TRADE, "恒通铝材厂", "factory"),
    UnitSpec("enterprise", "郑州峡窝精细化工有限公司", "Zhengzhou Xiawo Fine Chemicals Co., Ltd.", "410106100",
             S.HAZARDOUS_CHEMICALS, "峡窝化工厂", "chem"),
    # 惠济区
    UnitSpec("enterprise", "郑州古荥仓储物流有限公司", "Zhengzhou Guxing Warehousing Co., Ltd.", "410108101",
             S.INDUSTRY_TRADE, "古荥物流园", "warehouse"),
    UnitSpec("enterprise", "郑州花园口水上游乐有限公司", "Zhengzhou Huayuankou Water Park Co., Ltd.", "410108100",
             S.SPECIAL_EQUIPMENT, "花园口游乐园", "park"),
    # 中牟县
    UnitSpec("enterprise", "中牟万滩汽车零部件有限公司", "Zhongmou Wantan Auto Parts Co., Ltd.", "410122104",
             S.INDUSTRY_TRADE, "万滩汽配厂", "factory"),
    UnitSpec("enterprise", "中牟县官渡烟花爆竹批发有限公司", "Zhongmou Guandu Fireworks Wholesale Co., Ltd.", "410122102",
             S.FIREWORKS, "官渡烟花爆竹批发部", "fireworks"),
    UnitSpec("enterprise", "中牟青年路石化加油站有限公司", "Zhongmou Qingnian Road Filling Station Co., Ltd.", "410122001",
             S.HAZARDOUS_CHEMICALS, "青年路加油站", "gas_station"),
    # 巩义市
    UnitSpec("enterprise", "巩义米河耐火材料有限公司", "Gongyi Mihe Refractories Co., Ltd.", "410181100",
             S.INDUSTRY_TRADE, "米河耐材厂", "factory"),
    UnitSpec("enterprise", "巩义孝义铝业加工有限公司", "Gongyi Xiaoyi Aluminium Processing Co., Ltd.", "410181004",
             S.INDUSTRY_TRADE, "孝义铝加工厂", "factory"),
    # 荥阳市
    UnitSpec("enterprise", "荥阳广武建筑工程有限公司", "Xingyang Guangwu Construction Co., Ltd.", "410182103",
             S.CONSTRUCTION, "广武安置房项目", "site"),
    UnitSpec("enterprise", "荥阳汜水精细化工有限公司", "Xingyang Sishui Fine Chemicals Co., Ltd.", "410182105",
             S.HAZARDOUS_CHEMICALS, "汜水化工厂", "chem"),
    UnitSpec("enterprise", "荥阳索河加油站有限公司", "Xingyang Suohe Filling Station Co., Ltd.", "410182001",
             S.HAZARDOUS_CHEMICALS, "索河加油站", "gas_station"),
    # 新密市
    UnitSpec("enterprise", "新密超化煤业有限公司", "Xinmi Chaohua Coal Co., Ltd.", "410183104",
             S.MINING, "超化煤矿", "mine"),
    UnitSpec("enterprise", "新密白寨耐材有限公司", "Xinmi Baizhai Refractories Co., Ltd.", "410183108",
             S.INDUSTRY_TRADE, "白寨耐材厂", "factory"),
    # 新郑市
    UnitSpec("enterprise", "新郑龙湖客运有限公司", "Xinzheng Longhu Passenger Transport Co., Ltd.", "410184109",
             S.ROAD_TRANSPORT, "龙湖客运站", "coach"),
    UnitSpec("enterprise", "新郑郭店食品有限公司", "Xinzheng Guodian Foods Co., Ltd.", "410184108",
             S.INDUSTRY_TRADE, "郭店食品厂", "factory"),
    UnitSpec("enterprise", "新郑轩辕商贸城有限公司", "Xinzheng Xuanyuan Trade Mall Co., Ltd.", "410184001",
             S.INDUSTRY_TRADE, "轩辕商贸城", "mall"),
    # 登封市
    UnitSpec("enterprise", "登封告成煤业有限公司", "Dengfeng Gaocheng Coal Co., Ltd.", "410185103",
             S.MINING, "告成煤矿", "mine"),
    UnitSpec("enterprise", "登封少林石料有限公司", "Dengfeng Shaolin Stone Co., Ltd.", "410185002",
             S.MINING, "少林石料场", "quarry"),
    UnitSpec("enterprise", "登封嵩阳水泥有限公司", "Dengfeng Songyang Cement Co., Ltd.", "410185001",
             S.INDUSTRY_TRADE, "嵩阳水泥厂", "factory"),
]

SCHOOLS = [
    UnitSpec("school", "郑州市金水区晨曦小学", "Jinshui Chenxi Primary School", "410105008", S.OTHER, "晨曦小学", "school"),
    UnitSpec("school", "郑州市中原区启明中学", "Zhongyuan Qiming Middle School", "410102001", S.OTHER, "启明中学", "school"),
    UnitSpec("school", "郑州市惠济区星辰实验学校", "Huiji Xingchen Experimental School", "410108001", S.OTHER,
             "星辰实验学校", "school"),
    UnitSpec("school", "巩义市育英小学", "Gongyi Yuying Primary School", "410181001", S.OTHER, "育英小学", "school"),
    UnitSpec("school", "新郑市龙湖镇中心幼儿园", "Longhu Town Central Kindergarten, Xinzheng", "410184109", S.OTHER,
             "龙湖镇中心幼儿园", "school"),
    UnitSpec("school", "登封市告成镇中心小学", "Gaocheng Town Central Primary School, Dengfeng", "410185103", S.OTHER,
             "告成镇中心小学", "school"),
]

COMMUNITIES = [
    UnitSpec("community", "金水区花园路街道锦绣社区居民委员会", "Jinxiu Community, Huayuan Road Subdistrict", "410105002",
             S.HOUSEHOLD_COMMUNITY, "锦绣社区", "xiaoqu"),
    UnitSpec("community", "金水区东风路街道文博社区居民委员会", "Wenbo Community, Dongfeng Road Subdistrict", "410105010",
             S.HOUSEHOLD_COMMUNITY, "文博社区", "xiaoqu"),
    UnitSpec("community", "中原区林山寨街道紫荆社区居民委员会", "Zijing Community, Linshanzhai Subdistrict", "410102001",
             S.HOUSEHOLD_COMMUNITY, "紫荆社区", "xiaoqu"),
    UnitSpec("community", "二七区淮河路街道春晖社区居民委员会", "Chunhui Community, Huaihe Road Subdistrict", "410103001",
             S.HOUSEHOLD_COMMUNITY, "春晖社区", "xiaoqu"),
    UnitSpec("community", "二七区侯寨街道刘家沟村民委员会", "Liujiagou Village, Houzhai Subdistrict", "410103016",
             S.HOUSEHOLD_COMMUNITY, "刘家沟村", "village"),
    UnitSpec("community", "管城回族区北下街街道书香社区居民委员会", "Shuxiang Community, Beixiajie Subdistrict", "410104001",
             S.HOUSEHOLD_COMMUNITY, "书香社区", "xiaoqu"),
    UnitSpec("community", "上街区济源路街道丰乐社区居民委员会", "Fengle Community, Jiyuan Road Subdistrict", "410106001",
             S.HOUSEHOLD_COMMUNITY, "丰乐社区", "xiaoqu"),
    UnitSpec("community", "惠济区新城街道康宁社区居民委员会", "Kangning Community, Xincheng Subdistrict", "410108001",
             S.HOUSEHOLD_COMMUNITY, "康宁社区", "xiaoqu"),
    UnitSpec("community", "中牟县青年路街道翠竹社区居民委员会", "Cuizhu Community, Qingnian Road Subdistrict", "410122001",
             S.HOUSEHOLD_COMMUNITY, "翠竹社区", "xiaoqu"),
    UnitSpec("community", "中牟县官渡镇张庄村民委员会", "Zhangzhuang Village, Guandu Town", "410122102",
             S.HOUSEHOLD_COMMUNITY, "张庄村", "village"),
    UnitSpec("community", "巩义市新华路街道嘉禾社区居民委员会", "Jiahe Community, Xinhua Road Subdistrict", "410181001",
             S.HOUSEHOLD_COMMUNITY, "嘉禾社区", "xiaoqu"),
    UnitSpec("community", "荥阳市索河街道怡景社区居民委员会", "Yijing Community, Suohe Subdistrict", "410182001",
             S.HOUSEHOLD_COMMUNITY, "怡景社区", "xiaoqu"),
    UnitSpec("community", "新密市青屏街街道永安社区居民委员会", "Yong'an Community, Qingpingjie Subdistrict", "410183001",
             S.HOUSEHOLD_COMMUNITY, "永安社区", "xiaoqu"),
    UnitSpec("community", "新密市超化镇河西村民委员会", "Hexi Village, Chaohua Town", "410183104",
             S.HOUSEHOLD_COMMUNITY, "河西村", "village"),
    UnitSpec("community", "新郑市新建路街道泰和社区居民委员会", "Taihe Community, Xinjian Road Subdistrict", "410184001",
             S.HOUSEHOLD_COMMUNITY, "泰和社区", "xiaoqu"),
    UnitSpec("community", "登封市嵩阳街道书院社区居民委员会", "Shuyuan Community, Songyang Subdistrict", "410185001",
             S.HOUSEHOLD_COMMUNITY, "书院社区", "xiaoqu"),
]

OFFICER_LIU_UNIT = "郑州金鼎商贸有限公司"
GRID_ZHOU_UNIT = "金水区花园路街道锦绣社区居民委员会"

# Criteria cited when a case is graded major: sector → (standard, [(item, determination note)]).
CRITERIA = {
    S.FIRE: ("GB 35181-2025《重大火灾隐患判定规则》", [
        ("5.5", "人员密集场所安全出口数量不足或被封堵，符合直接判定要素。"),
        ("6.3.6", "疏散通道、安全出口被占用堵塞且设置栅栏，综合判定要素累计达到判定条件。"),
    ]),
    S.INDUSTRY_TRADE: ("应急管理部令第10号《工贸企业重大事故隐患判定标准》", [
        ("第四条第（一）项", "对承包单位未进行统一协调管理，动火作业未审批、无人监护。"),
        ("第十五条第（一）项", "粉尘爆炸危险场所除尘系统未正常运行，积尘未及时清理。"),
        ("第十六条第（三）项", "涉氨制冷系统液氨管道泄漏，未设置泄漏报警和紧急切断装置。"),
        ("第十八条第（一）项", "有限空间作业未执行先通风、再检测、后作业，未设监护人员。"),
    ]),
    S.HAZARDOUS_CHEMICALS: ("安监总管三〔2017〕121号 化工和危险化学品重大隐患判定标准", [
        ("第八项", "涉及易燃易爆介质的储罐区可燃气体检测报警装置失效。"),
        ("第十九项", "危险化学品仓库内禁忌物品混存，超量储存。"),
    ]),
    S.FIREWORKS: ("安监总管三〔2017〕121号 烟花爆竹重大隐患判定标准", [
        ("第十三项", "在居民楼等人员密集场所违规储存烟花爆竹。"),
    ]),
    S.MINING: ("应急管理部令第4号《煤矿重大事故隐患判定标准》", [
        ("第六条第（一）项", "瓦斯检查制度不落实，通风系统不完善。"),
    ]),
    S.CONSTRUCTION: ("房屋市政工程生产安全重大事故隐患判定标准（2024版）", [
        ("第六条第（二）项", "基坑周边超载堆土，未采取有效支护与监测措施。"),
        ("第九条第（三）项", "起重机械未经验收投入使用，特种作业人员无证上岗。"),
    ]),
    S.GAS: ("建城规〔2023〕4号《城镇燃气经营安全重大隐患判定标准》", [
        ("第九条第（一）项", "液化石油气钢瓶在地下室等封闭空间使用。"),
        ("第八条第（二）项", "为非自有钢瓶或超期未检钢瓶充装。"),
    ]),
    S.ROAD_TRANSPORT: ("道路运输企业和城市客运企业安全生产重大事故隐患判定标准（试行）", [
        ("第三条第（三）项", "车辆超员、驾驶员疲劳驾驶未及时纠正处理。"),
    ]),
    S.SPECIAL_EQUIPMENT: ("GB 45067-2024《特种设备重大事故隐患判定准则》", [
        ("4.2.1", "在用特种设备超过检验有效期仍继续使用。"),
        ("4.5.3", "大型游乐设施安全压杠失效仍投入运营。"),
    ]),
}


@dataclass(frozen=True)
class Template:
    category: str
    place_type: str
    kinds: tuple[str, ...]  # place kinds the template applies to
    text: str  # {place}, {n}, {m}
    fix: str  # what the unit did (evidence note)
    major: str = ""  # criterion item (in CRITERIA of the template's sector) when it may be graded major
    employee: bool = False  # plausible as an employee's report


T = Template
TEMPLATES = [
    # blocked escape routes
    T("escape_route", "shop", ("mall",), "{place}安全出口被货物堵塞，消防通道上堆满纸箱",
      "已清理安全出口和消防通道内货物，设置禁止堆放标识，安排专人每日巡查。", major="6.3.6", employee=True),
    T("escape_route", "entertainment", ("ktv",), "{place}后门疏散通道上锁，营业期间无法打开",
      "已拆除疏散门锁具，改为推闩式门锁，营业期间保持畅通。", major="5.5"),
    T("escape_route", "residential", ("xiaoqu",), "{place}{n}号楼楼梯间堆放大量杂物和旧家具，堵塞疏散通道",
      "已组织物业和居民清理楼梯间杂物，张贴告知书，纳入网格日常巡查。"),
    T("escape_route", "hotel", ("hotel",), "{place}疏散指示标志不亮，{m}楼安全出口被铁栅栏封死",
      "已拆除安全出口栅栏，更换疏散指示标志和应急照明灯。", major="6.3.6"),
    # fire equipment
    T("fire_equipment", "residential", ("xiaoqu",), "{place}{n}号楼消火栓箱内没有水带水枪，灭火器已过期",
      "已补齐消火栓箱内水带水枪，更换过期灭火器，物业建立月检台账。"),
    T("fire_equipment", "elderly_care", ("elderly",), "{place}走廊灭火器压力表指针在红区，烟感报警器被拆除",
      "已更换灭火器，重新安装独立式烟感报警器并测试合格。"),
    T("fire_equipment", "hospital", ("hospital",), "{place}门诊楼自动喷水灭火系统阀门关闭，消防控制室无人值守",
      "已开启喷淋系统阀门，恢复消防控制室24小时双人值班。"),
    T("fire_equipment", "shop", ("mall",), "{place}{m}楼喷淋头被装修吊顶遮挡，消防控制室值班人员无证上岗",
      "已调整吊顶恢复喷头保护范围，安排持证人员值守消防控制室。", employee=True),
    # e-bikes
    T("ebike_charging", "residential", ("xiaoqu",), "{place}{n}号楼楼道内多辆电动车充电，飞线拉到楼道",
      "已清理楼道内电动车，拆除私拉电线，小区新建集中充电棚。"),
    T("ebike_charging", "residential", ("xiaoqu",), "{place}有人把电动车电瓶拿回家充电，还有人推电动车进电梯上楼",
      "已在电梯内安装电动车识别阻止装置，入户宣传电动车安全充电。"),
    T("ebike_charging", "shop", ("market", "mall"), "{place}门口电动车集中停放，晚上用插线板私拉电线充电",
      "已拆除私拉电线，规划电动车停放区并设置智能充电桩。"),
    # gas
    T("gas", "restaurant", ("restaurant",), "{place}后厨液化气钢瓶放在地下室使用，没有燃气报警器",
      "已将液化气钢瓶移出地下室，改用管道天然气，安装燃气泄漏报警器和切断阀。", major="第九条第（一）项", employee=True),
    T("gas", "restaurant", ("restaurant",), "{place}燃气软管老化开裂，能闻到燃气味",
      "已更换为金属波纹软管，加装熄火保护装置。"),
    T("gas", "residential", ("xiaoqu",), "{place}{n}号楼{m}单元楼道有燃气味，燃气管道锈蚀严重",
      "燃气公司已对锈蚀管段进行更换并做气密性检测。"),
    T("gas", "gas_station", ("lpg",), "{place}给没有检验标志的过期钢瓶照样充装",
      "已停止为非自有及超期钢瓶充装，建立钢瓶充装信息追溯系统。", major="第八条第（二）项", employee=True),
    T("gas", "shop", ("mall",), "{place}美食广场商户使用液化气罐，摆在顾客通道旁",
      "已清退美食广场液化气钢瓶，统一改用电力厨具。"),
    # electrical
    T("electrical", "shop", ("market",), "{place}商户私拉乱接电线，配电箱门损坏，线头裸露",
      "已更换配电箱，规范敷设线路，裸露线头全部绝缘处理。"),
    T("electrical", "public_place", ("village",), "{place}路边变压器围栏倒塌，电线垂落离地面不到两米",
      "供电所已修复变压器围栏，重新架设垂落线路。"),
    T("electrical", "factory", ("factory",), "{place}车间配电柜前堆放杂物，电缆绝缘层破损",
      "已清理配电柜前杂物，更换破损电缆，设置绝缘垫和警示标识。", employee=True),
    T("electrical", "shop", ("mall",), "{place}地下一层配电室漏水，电缆沟积水",
      "已封堵配电室渗漏点，抽排电缆沟积水并加装排水泵。"),
    # hazardous chemicals
    T("hazardous_chemicals", "chemical_plant", ("chem",), "{place}储罐区可燃气体报警器损坏，长期未修复",
      "已更换可燃气体探测器并接入DCS系统，完成联动测试。", major="第八项", employee=True),
    T("hazardous_chemicals", "warehouse", ("warehouse", "chem"), "{place}仓库内油漆、稀释剂与普通货物混存，没有通风设施",
      "已分区分类存放，危化品移入专用库房，安装防爆排风设施。", major="第十九项"),
    T("hazardous_chemicals", "gas_station", ("gas_station",), "{place}卸油时无人监护，油罐车旁有人抽烟",
      "已严格执行卸油监护制度，设置禁烟标识，对员工进行专项培训。"),
    # fireworks
    T("fireworks", "shop", ("fireworks", "village"), "{place}附近有人在居民楼底商违规储存大量烟花爆竹",
      "已依法查扣违规储存的烟花爆竹，转运至合规仓库。", major="第十三项"),
    T("fireworks", "other", ("village",), "{place}有人在民房内非法生产烟花爆竹，经常有拉货车辆进出",
      "已联合公安查处非法生产窝点，没收原料和半成品。"),
    # construction
    T("construction", "construction_site", ("site",), "{place}工地脚手架未设置防护网，工人高处作业不系安全带",
      "已按规范挂设密目安全网，对作业人员进行安全带使用培训并加强巡查。", employee=True),
    T("construction", "construction_site", ("site",), "{place}深基坑边堆土过高，基坑没有护栏和警示标志",
      "已清运基坑边堆土，设置临边防护栏杆和警示灯，启动基坑监测。", major="第六条第（二）项"),
    T("construction", "construction_site", ("site",), "{place}塔吊在大风天继续作业，司机没有持证",
      "已停用塔吊，更换持证司机，完成检验后恢复使用，制定大风天停工制度。", major="第九条第（三）项"),
    # special equipment
    T("special_equipment", "residential", ("xiaoqu",), "{place}{n}号楼电梯经常困人，检验合格证已过期",
      "电梯已完成定期检验并更换曳引钢丝绳，张贴新的检验合格标志。", major="4.2.1"),
    T("special_equipment", "public_place", ("park",), "{place}游乐设施座椅安全压杠松动，仍在营业",
      "已停运设备并更换安全压杠，经检验机构检验合格后恢复运营。", major="4.5.3"),
    T("special_equipment", "factory", ("factory",), "{place}锅炉房没有持证司炉工，压力表已损坏",
      "已更换压力表并校验，安排持证司炉工上岗。", employee=True),
    T("special_equipment", "shop", ("mall",), "{place}自动扶梯急停按钮失灵，扶手带破损",
      "维保单位已修复急停按钮，更换扶手带，经检测合格。"),
    # road transport
    T("road_transport", "road", ("road",), "{place}渣土车超载超速，经常闯红灯",
      "已约谈运输企业，对涉事车辆安装限速和超载监控装置。"),
    T("road_transport", "road", ("coach",), "{place}发出的客运班车经常超员，过道上站满乘客",
      "已对涉事班车和驾驶员进行处理，出站口增设人数核查。", major="第三条第（三）项", employee=True),
    T("road_transport", "warehouse", ("warehouse",), "{place}危险品运输车辆在园区内随意停放，没有专人看管",
      "已划定危险货物车辆专用停车区，安排专人值守。"),
    # workplaces
    T("workplace", "factory", ("factory",), "{place}冲压设备没有安全防护装置，工人徒手送料",
      "已加装光电保护装置和双手操作按钮，配发送料工具。", employee=True),
    T("workplace", "factory", ("factory",), "{place}粉尘车间除尘器不运行，地面积尘很厚",
      "已修复除尘系统并建立清扫制度，每班清理积尘。", major="第十五条第（一）项", employee=True),
    T("workplace", "warehouse", ("warehouse",), "{place}冷库液氨管道有泄漏气味，员工未配备防护用品",
      "已更换泄漏阀门，加装氨气泄漏报警和紧急切断装置，配发防护用品。", major="第十六条第（三）项", employee=True),
    T("workplace", "factory", ("factory",), "{place}有限空间作业未检测气体，也没有人在外面监护",
      "已制定有限空间作业审批制度，配备气体检测仪和专职监护人。", major="第十八条第（一）项", employee=True),
    T("workplace", "shop", ("mall",), "{place}地下仓库外包装修单位动火作业未办审批，现场无人监护",
      "已停止违规动火，与承包单位签订安全协议，动火作业严格审批并专人监护。", major="第四条第（一）项", employee=True),
    # mining
    T("mining", "mine", ("mine",), "{place}井下通风不良，瓦斯检测仪长期不用",
      "已调整通风系统，落实瓦斯检查制度，更换检测仪器。", major="第六条第（一）项", employee=True),
    T("mining", "mine", ("quarry",), "{place}采石场边坡过陡，爆破作业没有设置警戒",
      "已削坡减载，按设计台阶开采，爆破前设置警戒并清场。"),
    # buildings
    T("building", "residential", ("xiaoqu",), "{place}{n}号楼外墙瓷砖脱落，楼下是小孩玩耍的地方",
      "已设置警戒区，对外墙空鼓瓷砖进行排查和铲除修复。"),
    T("building", "residential", ("village",), "{place}有户自建房加盖到五层，墙体出现裂缝，还在出租",
      "已委托鉴定机构安全鉴定，停止出租，人员已撤离并进行加固。"),
    T("building", "school", ("school",), "{place}围墙倾斜开裂，紧挨学生上学通道",
      "已拆除危险围墙段并重建，施工期间设置隔离护栏。"),
    # other
    T("other", "public_place", ("park", "village"), "{place}旁边池塘护栏缺失，没有防溺水警示牌",
      "已补设护栏和防溺水警示牌，配备救生圈。"),
    T("other", "road", ("road",), "{place}井盖缺失，晚上没有警示标志",
      "已补装井盖，对周边井盖开展排查。"),
    T("other", "public_place", ("square",), "{place}大型广告牌松动，大风天晃得厉害",
      "已拆除松动广告牌，对同类户外设施进行排查加固。"),
    T("other", "school", ("school",), "{place}门口有商贩使用液化气摊位，上下学人很多",
      "已劝离校门口流动摊点，联合城管加强上下学时段巡查。"),
]

# Generic place names for places that are not registered organisations.
NAME_PREFIXES = ["锦绣", "紫荆", "阳光", "书香", "金桥", "颐和", "康宁", "翠竹", "和昌", "丰乐", "怡景", "春晖", "嘉禾",
                 "文博", "雅居", "宏达", "鑫源", "华信", "恒泰", "瑞丰", "永安", "兴业", "泰和", "润德", "嵩岳", "中州",
                 "福寿", "鸿运", "明珠", "盛世"]
GENERIC_NAMES = {
    "xiaoqu": ["{p}花园", "{p}小区", "{p}家园", "{p}新村", "{p}苑", "{p}华府", "{p}雅苑"],
    "mall": ["{p}购物广场", "{p}商场", "{p}百货"],
    "market": ["{p}农贸市场", "{p}建材市场", "{p}小商品市场"],
    "restaurant": ["{p}烩面馆", "{p}火锅店", "{p}烧烤店", "{p}饭庄"],
    "hotel": ["{p}宾馆", "{p}快捷酒店", "{p}商务酒店"],
    "ktv": ["{p}KTV", "{p}网吧", "{p}洗浴中心", "{p}剧本杀馆"],
    "factory": ["{p}机械厂", "{p}食品厂", "{p}家具厂", "{p}包装厂"],
    "chem": ["{p}化工厂"],
    "site": ["{p}项目工地", "{p}安置房项目"],
    "school": ["{p}小学", "{p}幼儿园", "{p}培训学校"],
    "hospital": ["{p}医院", "{p}诊所"],
    "elderly": ["{p}养老院", "{p}颐养中心"],
    "gas_station": ["{p}加油站"],
    "lpg": ["{p}液化气站"],
    "warehouse": ["{p}物流园", "{p}仓库"],
    "coach": ["{p}客运站"],
    "mine": ["{p}煤矿"],
    "quarry": ["{p}石料场"],
    "fireworks": ["{p}烟花爆竹店"],
    "park": ["{p}公园", "{p}游乐场"],
    "square": ["{p}广场"],
    "village": ["{t}{p}村"],
    "road": ["{r}与{r2}交叉口", "{r}{t}段", "{r}高架桥下"],
}

SUFFIXES = ["", "", "", "。", "，希望尽快处理。", "，已经持续一个多月了。", "，存在很大安全隐患。", "，多次反映没人管。",
            "，请相关部门查处。", "，晚上尤其危险。"]
HOME_SUFFIXES = ["，附近住了很多老人和孩子。", "，物业说管不了。", "，跟物业说了好几次都没用。"]
HOME_KINDS = {"xiaoqu", "village"}
DUPLICATE_SUFFIXES = ["，之前有人反映过，到现在还没处理", "，和上次反映的是同一个地方", "，问题依旧，再次反映"]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁宋谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰",
         "霞", "平", "刚", "桂英", "建华", "建国", "志强", "海燕", "红梅", "晓东", "丽娟", "文博", "子涵", "雨桐", "浩然",
         "思远", "俊杰", "佳怡", "国强", "玉兰", "振华", "春生"]

REJECT_REASONS = [
    "经现场核查，反映的问题已在检查前整改完毕，现场未发现安全隐患。",
    "经核实，该问题属于物业服务纠纷，不属于安全生产事故隐患，已转12345热线办理。",
    "执法人员按描述地点两次到现场均未发现所述情况，如仍存在请补充照片和具体位置。",
    "举报位置不在本部门管辖范围内，已告知属地部门处理。",
]
DISPUTE_REASONS = [
    "整改只是临时清理，过了两天又恢复原样了。",
    "现场问题依旧存在，整改不到位，请再次核查。",
    "只拍了整改照片，实际并没有整改，晚上还是一样。",
]
RETURN_REASONS = [
    "整改照片未能反映现场整改情况，请补充整改前后对比照片。",
    "复查发现部分问题仍未整改到位，退回继续整改。",
]
ACCEPT_NOTES = ["", "", "已受理，安排执法人员现场核查。", "已受理，转属地网格员先行核实。", "已受理。"]
GENERAL_NOTES = ["经现场核查，属一般事故隐患，责令限期整改。", "一般隐患，可立即整改。", ""]
APPROVE_NOTES = ["现场复查，整改到位，同意销号。", "整改资料齐全，现场复核通过。", "经验收合格，予以销号。"]
LIST_NOTES = ["列入挂牌督办，限期整改到位并按时报送整改进展。", "挂牌督办，每周报送整改进展。"]
PLAN_FUNDS = ["已安排整改资金{n}万元，列入本年度安全生产投入。", "企业自筹整改资金{n}万元，已到位。"]
CONTINGENCY = [
    "整改期间停止相关区域作业，设置警戒区并安排专人监护，配备应急器材，制定专项应急预案并组织演练。",
    "整改期间局部停产，落实临时管控措施，每日安全检查，发现异常立即撤人。",
]
