"""Places: the gazetteer finds the province, city and county a declaration's unit, form or
folders name; units of the same short name in different places stay apart."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from analysis import places
from analysis.ingest.pipeline import ingest
from analysis.tables import load

ROOT = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("ANALYSIS_REAL_WORLD") or ROOT.parent.parent / "shared" / "real-world")
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"the real declarations are not at {SHARED} (set ANALYSIS_REAL_WORLD)"
)

#: every declaration of the real corpora whose unit name, form or folder names a place: file → adcode
PLACED = {
    "rw/d01_huangshi_dangxiao_zhutiban_2022.txt": "420200",
    "rw/d02_jinzhai_kaifaqu_wuye_2021.txt": "340000",
    "rw/d03_huaibei_wenlvti_songxi_2025.txt": "340600",
    "rw/d04_jinan_tiyuju_wangqiu_2025.txt": "341502",
    "rw/d05_yuanzhou_ziranziyuan_shuiyuanlin_2022.txt": "640402",
    "rw/d06_tianjin_hebei_fayuan_2023.txt": "120105",
    "rw/d07_zhalaite_jianchayuan_2025.txt": "152223",
    "rw/d08_wuhai_gongxiaoshe_zaisheng_2021.txt": "150300",
    "rw/d09_jingyan_matazhen_cunzu_2023.txt": "511124",
    "rw/d10_luan_nongye_sanpinyibiao_2024.txt": "341500",
    "rw/d12_linyi_fuxiao_gongyongjingfei_2025.txt": "371424",
    "rw/d13_fengjie_yunwu_jiagongyuan_2023.txt": "500236",
    "rw/d14_fengjie_yingjiju_jubaojiang_2023.txt": "500236",
    "rw/d15_jinan_canlian_jingzhunkangfu_2023.txt": "341502",
    "rw/d16_banan_jielong_songcaixianchong_2021.txt": "500113",
    "extra/e01_yueyang_nongyenongcun_gaobiaozhunnongtian_2022.txt": "430621",
    "extra/e02_xiangtan_huanwei_wupaoche_2023.txt": "430300",
    "extra/e03_xiangtan_huanwei_wupaoche_2024.txt": "430300",
    "extra/e05_wuhan_qingshan_jiaoyu_jichusheshi_2020.txt": "420107",
    "extra/e06_alaer_liutuan_baoxianku_2021.txt": "659002",
    "extra/e07_tongnan_wuguizhen_yibanxingxiangmu_2023.txt": "500152",
    "extra/e09_zhenjiang_bowuguan_saizhenzhu_2024.txt": "321100",
    "extra/f01_qingjian_jiaotong_guoyuanlu_2021.txt": "610830",
    "extra/f02_nanyue_nanyuezhen_lvyoufupin_2018.txt": "430000",
    "extra/f03_yangquan_gonglu_sihaonongcunlu_2021.txt": "140300",
    "more/g01_banan_shengdengshan_dangzhibu_2022.txt": "500113",  # the page's title over its forms
    "more/g03_anxi_shuili_xiaoxingshuili_2022.txt": "350524",
    "more/g04_dongguan_zhanlanguan_wuye_2022.txt": "441900",
    "more/g05_dongguan_jiaotong_zhenjilianwang_pifu_2019.csv": "441900",
    "more/g08_xiuyu_shuili_shuihuixiufu_2025.txt": "350305",
    "more/g09_longyan_minzong_zongjiaoguanli_2023.txt": "350800",
    "more/g11_wuqia_shuili_ganqufangshen_2021.txt": "653024",
    "more/g02_baodi_chuqinfenwu_zhengqutuijin_2022.txt": "120115",
    "more/g06_zhongxian_shengzhu_quyu_2022.txt": "500233",
    "more/g10_chencang_shuili_yinshuianquan_2020.txt": "610304",
    "more/g13_dehua_minzheng_laonianzhucan_2025.txt": "350526",
    "more/g14_qingshan_kejing_kejiyanfa_2021.txt": "420107",  # 武汉市青山区 named in full: not 包头's
}


def test_the_gazetteer_reads_names_full_and_short():
    assert places.find("天津市河北区人民法院").label() == "天津市河北区"  # not 河北省
    assert places.find("中共黄石市委党校").adcode == "420200"
    assert places.find("黔南州财政局").city == "黔南布依族苗族自治州"
    assert places.find("广西交通运输厅").province == "广西壮族自治区"
    assert not places.find("区林业局").found


def test_a_name_many_places_hold_is_ambiguous_and_a_contradiction_is_told():
    p = places.find("青山区教育局")  # 武汉市青山区 and 包头市青山区
    assert p.ambiguous and not p.found and len(p.candidates) == 2
    assert places.find("内蒙古自治区青山区").adcode == "150204"  # the province decides
    q = places.find("湖北省金寨县")
    assert q.ambiguous and "湖北省" in q.candidates


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    for name, src in (
        ("rw", SHARED),
        ("extra", ROOT / "fixtures" / "real-world-extra"),
        ("more", ROOT / "fixtures" / "real-world-more"),
    ):
        shutil.copytree(src, raw / name, ignore=shutil.ignore_patterns("*.json", "*.md"))
    out = tmp_path_factory.mktemp("processed")
    ingest(raw, out, jobs=1)
    return load(out)


@needs_shared
def test_the_place_of_every_real_declaration_that_names_one_is_found(real):
    d = real.declarations
    got = {f: set(g.adcode) for f, g in d.groupby("source_file")}
    missing = {f: (code, got.get(f)) for f, code in PLACED.items() if got.get(f) != {code}}
    assert not missing
    placed = d[d.adcode.notna()]
    assert set(placed.place_source) <= {"unit", "form", "unit+form", "unit+folder", "form+folder", "folder", "file"}
    # every other declaration names no place anywhere (区林业局, 楼区政府, 区残联, a form printing no
    # unit) or one many places have (青山区教育局): none is invented
    nowhere = {
        "rw/d11_rongchang_linyeju_lvhua_2022.txt",
        "extra/e04_wuhan_qingshan_jiaoyu_boruoxuexiao_2020.txt",
        "extra/e08_zhaohua_weijian_tekunjiating_2021.txt",
        "extra/f04_yueyanglou_fagai_xiangmuqianqi_2021.txt",
        "more/g07_chencang_canlian_canjiren_2023.txt",
        "more/g12_dehua_fupin_dierpi_2020.txt",
    }
    assert set(d.loc[d.adcode.isna(), "source_file"]) == nowhere
    assert set(d.loc[d.adcode.notna(), "source_file"]) == set(PLACED)
    assert "place-ambiguous" in set(real.problems.code)  # 青山区教育局: 武汉 or 包头
    assert (placed.province.notna()).all()


def test_the_same_short_name_in_two_places_is_two_units(tmp_path):
    form = ROOT.parent / "tests" / "fixtures" / "real-world-extra" / "e08_zhaohua_weijian_tekunjiating_2021.txt"
    text = form.read_bytes()
    for folder in ("四川省广元市昭化区", "湖北省武汉市青山区"):
        (tmp_path / "raw" / folder).mkdir(parents=True)
        (tmp_path / "raw" / folder / form.name).write_bytes(text)
    ingest(tmp_path / "raw", tmp_path / "out", jobs=1)
    d = load(tmp_path / "out").declarations
    assert len(d) == 2 and d.decl_id.nunique() == 2
    assert set(d.county) == {"昭化区", "青山区"} and set(d.place_source) == {"folder"}
    assert set(d.unit) == {"区卫生健康局"}


@needs_shared
def test_a_unit_placed_outside_its_folder_is_a_problem(tmp_path):
    form = SHARED / "d14_fengjie_yingjiju_jubaojiang_2023.txt"
    (tmp_path / "raw" / "湖南省").mkdir(parents=True)
    (tmp_path / "raw" / "湖南省" / form.name).write_bytes(form.read_bytes())
    ingest(tmp_path / "raw", tmp_path / "out", jobs=1)
    ds = load(tmp_path / "out")
    assert ds.declarations.county.tolist() == ["奉节县"]
    assert "place-contradicts-folder" in set(ds.problems.code)


def _two_health_bureaus(tmp_path) -> Path:
    """The e08 form (区卫生健康局, a name that names no place) filed under two districts, and the
    seed (a unit whose name is its own)."""
    form = ROOT / "fixtures" / "real-world-extra" / "e08_zhaohua_weijian_tekunjiating_2021.txt"
    for folder in ("四川省广元市昭化区", "湖北省武汉市青山区"):
        (tmp_path / "raw" / folder).mkdir(parents=True)
        (tmp_path / "raw" / folder / form.name).write_bytes(form.read_bytes())
    seed = ROOT.parent / "data" / "raw" / "000_bd3c41999dbba456.txt"
    (tmp_path / "raw" / seed.name).write_bytes(seed.read_bytes())
    ingest(tmp_path / "raw", tmp_path / "out", jobs=1)
    return tmp_path / "out"


ZHAOHUA = "区卫生健康局（四川省广元市昭化区）"
QINGSHAN = "区卫生健康局（湖北省武汉市青山区）"
SEED_UNIT = "上海市绿化和市容管理局行政服务中心"


def test_units_of_one_short_name_are_shown_with_their_place(tmp_path):
    import analysis
    from analysis.metrics import identity

    out = _two_health_bureaus(tmp_path)
    ds = analysis.load(out)
    assert set(ds.declarations.unit) == {ZHAOHUA, QINGSHAN, SEED_UNIT}
    assert set(ds.indicators.unit) == {ZHAOHUA, QINGSHAN, SEED_UNIT}
    # projects and metrics grouping by unit keep the two apart
    assert ds.declarations.project_key.nunique() == 4
    rates = analysis.metrics.execution_rates(ds.declarations, by="unit")
    assert set(rates.unit) == {ZHAOHUA, QINGSHAN, SEED_UNIT}
    # one unit of the name: no place added (the name of its reports stays what it was)
    one = load(out).declarations
    one = one[one.county.ne("青山区") | one.county.isna()]
    assert identity.unit_names(one).empty


def test_two_units_of_one_short_name_get_two_unit_reports(tmp_path):
    from analysis.reports import data, plan

    out = _two_health_bureaus(tmp_path)
    tasks = [t for t in plan.plan(out, tmp_path / "reports", ROOT.parent / "notebooks") if t.kind == "unit"]
    assert sorted(t.name for t in tasks) == sorted([ZHAOHUA, QINGSHAN, SEED_UNIT])
    assert len({t.stem for t in tasks}) == 3
    # a unit whose name is unique keeps its report's file name
    seed = next(t for t in tasks if t.name == SEED_UNIT)
    assert seed.stem == plan.safe_name(SEED_UNIT) and seed.parameters["unit"] == SEED_UNIT
    for name, folder in ((ZHAOHUA, "四川省广元市昭化区/"), (QINGSHAN, "湖北省武汉市青山区/")):
        rows = data.load_unit(out, name)
        assert len(rows.declarations) == 1 and rows.declarations.source_file.str.startswith(folder).all()
        assert set(rows.indicators.decl_id) == set(rows.declarations.decl_id) and len(rows.indicators) > 0
        assert set(rows.declarations.unit) == set(rows.indicators.unit) == {name}
    assert sorted(data.available(out, "unit")) == sorted([ZHAOHUA, QINGSHAN, SEED_UNIT])
    with pytest.raises(data.NotInData, match=ZHAOHUA):  # the bare name asks which of the two
        data.load_unit(out, "区卫生健康局")


@pytest.mark.slow
def test_each_unit_report_of_a_shared_name_shows_its_own_declarations(tmp_path):
    from analysis.reports import batch

    out = _two_health_bureaus(tmp_path)
    results = batch.run_batch(out, tmp_path / "reports", jobs=1, units=[ZHAOHUA, QINGSHAN], export=False, quiet=True)
    assert {r.status for r in results} == {"rendered"}, [r.error for r in results]
    pages = {r.name: Path(r.out_html).read_text(encoding="utf-8") for r in results}
    for name, mine, other in (
        (ZHAOHUA, "四川省广元市昭化区/", "湖北省武汉市青山区/"),
        (QINGSHAN, "湖北省武汉市青山区/", "四川省广元市昭化区/"),
    ):
        assert name in pages[name] and mine in pages[name] and other not in pages[name]
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert ZHAOHUA in index and QINGSHAN in index


def test_a_declaration_printing_no_unit_goes_by_a_name_a_reader_can_see(tmp_path):
    """g12 prints no unit (申报单位 left blank): its reports, the index and the command line name it
    未印单位, not an empty string, and it can be asked for by that name."""
    import analysis
    from analysis.metrics import identity
    from analysis.reports import data, plan

    form = ROOT / "fixtures" / "real-world-more" / "g12_dehua_fupin_dierpi_2020.txt"
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / form.name).write_bytes(form.read_bytes())
    seed = ROOT.parent / "data" / "raw" / "000_bd3c41999dbba456.txt"
    (tmp_path / "raw" / seed.name).write_bytes(seed.read_bytes())
    out = tmp_path / "out"
    ingest(tmp_path / "raw", out, jobs=1)
    assert set(load(out).declarations.unit) == {"", SEED_UNIT}  # the table keeps what is printed
    ds = analysis.load(out)
    assert set(ds.declarations.unit) == {identity.NO_UNIT, SEED_UNIT}
    tasks = [t for t in plan.plan(out, tmp_path / "reports", ROOT.parent / "notebooks") if t.kind == "unit"]
    assert sorted(t.name for t in tasks) == sorted([identity.NO_UNIT, SEED_UNIT])
    rows = data.load_unit(out, identity.NO_UNIT)  # (its copy stops before the targets: no indicators)
    assert len(rows.declarations) == 1 and rows.declarations.source_file.tolist() == [form.name]
    # with a place, the place is beside it
    d = ds.declarations.assign(unit="", province="福建省", city="泉州市", county="德化县")
    assert set(identity.unit_names(d)) == {"未印单位（福建省泉州市德化县）"}
