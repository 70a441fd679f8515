#!/usr/bin/python3
"""The PyTorch peer of `npm run bench`: the same char-level models, data layout and optimizer as our side, timed the
same way, so the two can be compared in one run. Prints one JSON object on stdout.

  peer.py train  --text FILE --cell lstm --layers 2 --hidden 128 --batch 50 --seq 50 --threads 1 --seconds 5
  peer.py sample --text FILE --cell lstm --layers 2 --hidden 128 --length 1000 --repeats 3 --threads 1

Models: nn.LSTM / nn.GRU / nn.RNN (tanh) on one-hot input, then nn.Linear, cross-entropy, Adam (lr 2e-3).
Batches as char-rnn lays them out: B contiguous streams, batch i is chunk i of each, the hidden state carried over.
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


class CharModel(nn.Module):
    def __init__(self, cell, vocab, hidden, layers):
        super().__init__()
        self.vocab = vocab
        self.rnn = CELLS[cell](vocab, hidden, layers)  # time-major: input [T, B, V]
        self.out = nn.Linear(hidden, vocab)

    def forward(self, ids, state):  # ids [T, B] -> logits [T*B, V]
        x = F.one_hot(ids, self.vocab).float()
        h, state = self.rnn(x, state)
        return self.out(h.reshape(-1, h.shape[-1])), state


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def load_ids(path):
    text = open(path, encoding="utf-8").read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    return torch.tensor([index[c] for c in text], dtype=torch.long), len(chars)


def batches(ids, B, T):
    """Yields (x, y) [T, B] forever, char-rnn's layout: stream b starts at b * stride."""
    n = (len(ids) - 1) // (B * T)
    stride = n * T
    starts = torch.arange(B) * stride
    while True:
        for i in range(n):
            pos = starts[None, :] + i * T + torch.arange(T)[:, None]  # [T, B]
            yield ids[pos], ids[pos + 1]


def train(args, ids, V):
    torch.manual_seed(0)
    model = CharModel(args.cell, V, args.hidden, args.layers)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    data = batches(ids, args.batch, args.seq)
    state = None

    def iteration():
        nonlocal state
        x, y = next(data)
        logits, state = model(x, state)
        loss = F.cross_entropy(logits, y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        state = detach(state)
        return loss.item()

    for _ in range(args.warmup):
        iteration()
    iters, start = 0, time.perf_counter()
    while iters < args.min_iters or time.perf_counter() - start < args.seconds:
        loss = iteration()
        iters += 1
    elapsed = time.perf_counter() - start
    return {"chars_per_s": iters * args.batch * args.seq / elapsed, "iters": iters, "seconds": elapsed, "loss": loss}


@torch.no_grad()
def sample(args, V):
    torch.manual_seed(0)
    model = CharModel(args.cell, V, args.hidden, args.layers).eval()
    ids = torch.zeros(1, 1, dtype=torch.long)
    state = None
    for _ in range(20):  # warm-up
        logits, state = model(ids, state)
    best = float("inf")
    for _ in range(args.repeats):  # the best of a few runs: a busy machine only ever slows a run down
        start = time.perf_counter()
        for _ in range(args.length):
            logits, state = model(ids, state)
            ids = torch.multinomial(F.softmax(logits, dim=-1), 1).reshape(1, 1)
        best = min(best, time.perf_counter() - start)
    return {"chars_per_s": args.length / best, "seconds": best}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["train", "sample"])
    p.add_argument("--text", required=True)
    p.add_argument("--cell", default="lstm", choices=list(CELLS))
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--batch", type=int, default=50)
    p.add_argument("--seq", type=int, default=50)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--min-iters", type=int, default=3)
    p.add_argument("--length", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    ids, V = load_ids(args.text)
    result = train(args, ids, V) if args.mode == "train" else sample(args, V)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.update(threads=args.threads, torch=torch.__version__, vocab=V, peak_rss_mb=peak_mb)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
