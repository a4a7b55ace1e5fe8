"""How fast is rnnviz.record on a PyTorch module? Prints ratios measured in one run.

    python benchmarks/bench_torch_record.py

nn.LSTM and nn.GRU alone (batch first), batch 32, 500 steps, 4 features, 64 units, on
CPU: record time / one plain forward pass of the module                 target <= 1.5,
  * wall time with PyTorch's default threads, against ``module(x)`` under
    ``torch.no_grad()`` and against ``module(x)`` as it is (autograd on);
  * CPU time on one thread against ``module(x)`` under ``torch.no_grad()``: steadier
    on a shared machine, where wall times swing with the load.
And a floor: the gates are what the module's pass computes and throws away, so an exact
recording runs that pass and then computes every gate's pre-activation again, at least
one matmul of all steps' inputs and previous states by the module's weights (the same
multiply-adds as the pass's own). (pass + that matmul) / pass, under ``torch.no_grad()``,
is the least record / forward any exact recorder can reach on the machine, before a
single activation.
Needs torch: the extra ``rnnviz[torch]`` (``torch==2.13.0``, installed by the set-up commands).
"""

from __future__ import annotations

import os
import statistics
import time

from bench_record import BATCH, FEATURES, STEPS, UNITS, alternating

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def cpu_ratio(first, second, repeats=15):
    """Median CPU seconds of ``first`` and ``second``, and the median ratio, alternating."""
    first(), second()
    rounds = []
    for _ in range(repeats):
        times = []
        for function in (first, second):
            start = time.process_time()
            function()
            times.append(time.process_time() - start)
        rounds.append(times)
    return [statistics.median(r[i] for r in rounds) for i in (0, 1)], statistics.median(a / b for a, b in rounds)


def main():
    import torch

    import rnnviz

    threads = torch.get_num_threads()
    for name, cls in (("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU)):
        torch.manual_seed(0)
        module = cls(FEATURES, UNITS, batch_first=True).eval()
        x = torch.randn(BATCH, STEPS, FEATURES)

        def recording():
            rnnviz.record(module, x)

        def forward():
            with torch.no_grad():
                module(x)

        with torch.no_grad():
            h_before = torch.cat([torch.zeros(BATCH, 1, UNITS), module(x)[0][:, :-1]], 1)
            weights = torch.cat([module.weight_ih_l0, module.weight_hh_l0], 1)
            bias = module.bias_ih_l0 + module.bias_hh_l0

        def pre_activations():
            with torch.no_grad():
                torch.nn.functional.linear(torch.cat([x, h_before], -1), weights, bias)

        torch.set_num_threads(threads)
        (record_s, forward_s, plain_s), ratios = alternating(recording, forward, lambda: module(x))
        print(f"{name}, {threads} threads, wall: record {record_s * 1e3:.1f} ms, forward {forward_s * 1e3:.1f} ms "
              f"(no_grad), {plain_s * 1e3:.1f} ms (autograd on); record / forward = {ratios[0]:.2f} (no_grad), "
              f"{ratios[1]:.2f} (autograd on)   target <= 1.5")
        (matmul_s, forward_s), _ = alternating(pre_activations, forward)
        print(f"{name}, {threads} threads, wall: the gates' pre-activations {matmul_s * 1e3:.1f} ms; floor "
              f"(forward + that matmul) / forward = {(forward_s + matmul_s) / forward_s:.2f} (no_grad)")
        torch.set_num_threads(1)
        (record_cpu, forward_cpu), ratio = cpu_ratio(recording, forward)
        print(f"{name}, 1 thread, CPU time: record {record_cpu * 1e3:.1f} ms, forward {forward_cpu * 1e3:.1f} ms "
              f"(no_grad); record / forward = {ratio:.2f}   target <= 1.5")


if __name__ == "__main__":
    main()
