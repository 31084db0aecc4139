#!/usr/bin/python3
"""Prints the expected values that tests/check_ops_reduce.c marks "torch" (PyTorch 1.13,
float64), independent of the runtime: /usr/bin/python3 tests/data/reduce_goldens.py"""
import torch

x = torch.tensor([[1000., 1000., 999.], [-1000., -1001., -1002.]], dtype=torch.float64)
print("ReduceLogSumExp axis 1:", torch.logsumexp(x, 1).tolist())
print("ReduceLogSumExp all:", torch.logsumexp(x.flatten(), 0).item())
print("ReduceLogSum all of 1..6:", torch.log(torch.arange(1., 7., dtype=torch.float64).sum()).item())
s = torch.tensor([[1., 2., 3.], [4., 6., 0.]], dtype=torch.float64)
print("Softmax axis 0:", torch.softmax(s, 0).flatten().tolist())
print("LogSoftmax axis 0:", torch.log_softmax(s, 0).flatten().tolist())
x3 = torch.arange(12, dtype=torch.float64).reshape(2, 2, 3) / 4
print("Softmax axis 1 (opset 13):", torch.softmax(x3, 1).flatten().tolist())
print("Softmax opset 11, axis 1 ([2,6]):", torch.softmax(x3.reshape(2, 6), 1).flatten().tolist())
a = torch.tensor([[1., 2.], [3., 4.], [5., 6.]], dtype=torch.float64)
b = torch.tensor([[1., 0., 2.], [0., 1., 1.], [1., 1., 0.], [2., 0., 1.]], dtype=torch.float64)
c = torch.tensor([[1.], [2.]], dtype=torch.float64)
print("Gemm transA transB alpha 0.5 beta 2:", (0.5 * a.T @ b.T + 2 * c).flatten().tolist())
print("Gemm int32 transA transB:", (a.T @ b.T + c).flatten().tolist())
