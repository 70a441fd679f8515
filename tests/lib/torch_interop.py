"""The PyTorch side of tests/pytorch-interop.test.mjs: charrnn's exports loaded into torch.nn modules, and models
made in PyTorch for charrnn to import. Run with Debian's python3 and python3-torch, tests/lib on PYTHONPATH (for the
safetensors stand-in there); reads a JSON list of jobs on stdin and prints one JSON result per job."""
import json
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, safe_open, save_file
from torch import nn


class CharRNN(nn.Module):
    """charrnn's model in PyTorch: one-hot characters into nn.LSTM/GRU/RNN, then a linear layer to the logits."""

    def __init__(self, cell, vocab_size, hidden_size, num_layers):
        super().__init__()
        self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell](vocab_size, hidden_size, num_layers)
        self.decoder = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids, state=None):  # ids [T, B] -> logits [T, B, V]
        out, state = self.rnn(F.one_hot(ids, self.decoder.out_features).float(), state)
        return self.decoder(out), state


def load(path, cell=None):
    tensors = {k: t.float() for k, t in load_file(path).items()}
    with safe_open(path, "pt") as f:
        meta = f.metadata()
    config = json.loads(meta["charrnn.config"]) if "charrnn.config" in meta else {}
    cell = cell or config["cell"]
    V, H = tensors["decoder.weight"].shape
    L = sum(1 for k in tensors if k.startswith("rnn.weight_ih_l"))
    model = CharRNN(cell, V, H, L)
    # strict: every name of both modules present, none extra; and the bare nn module takes its part alone
    model.load_state_dict(tensors, strict=True)
    bare = type(model.rnn)(V, H, L)
    bare.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("rnn.")}, strict=True)
    return model.eval(), meta


def draw(logits, u):
    """The id charrnn's sampler draws for uniform u at temperature 1 (sample/sampler.ts: draw, probabilities)."""
    e = torch.exp(logits.double() - logits.double().max())
    p = (e.float().double() / e.sum()).float().double().tolist()
    for i, pi in enumerate(p):
        u -= pi
        if u < 0:
            return i
    return max(i for i, pi in enumerate(p) if pi > 0)


def run(job):
    op = job["op"]
    if op == "logits":  # the export's logits over `ids`, read as one stream from a zero state
        model, _ = load(job["file"])
        with torch.no_grad():
            logits, _ = model(torch.tensor(job["ids"]).view(-1, 1))
        return logits[:, 0, :].tolist()
    if op == "make":  # a model made and saved by PyTorch, for charrnn to import
        torch.manual_seed(job["seed"])
        model = CharRNN(job["cell"], job["vocabSize"], job["hiddenSize"], job["numLayers"])
        save_file(model.state_dict(), job["file"])
        return True
    if op == "sample":  # `len(uniforms)` characters after `prime`, drawn with the given uniforms
        model, _ = load(job["file"], job.get("cell"))
        ids = []
        with torch.no_grad():
            logits, state = model(torch.tensor(job["prime"]).view(-1, 1))
            for u in job["uniforms"]:
                ids.append(draw(logits[-1, 0], u))
                logits, state = model(torch.tensor([[ids[-1]]]), state)
        return ids
    if op == "resave":  # loaded into the modules and saved again from their state_dict, metadata kept
        model, meta = load(job["file"])
        save_file(model.state_dict(), job["out"], metadata=meta)
        return True
    raise ValueError(f"unknown job {op}")


print(json.dumps([run(job) for job in json.load(sys.stdin)]))
