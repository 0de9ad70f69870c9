"""A small MobileNetV2-style ConvBN network: a conv-BN-ReLU6 stem (stride 2),
two inverted residual blocks (1x1 expand, 3x3 depthwise, 1x1 linear project;
the second with its residual add), global average pooling and a linear
classifier. Batch norms have random statistics, so folding them into the
convolutions (kiln-fold-conv-bn) is checked for real.

    export(path)              writes the ONNX model (opset 17)
    make_inputs(batch, seed)  seeded inputs, as a list of numpy arrays
    torch_reference(inputs)   PyTorch's outputs for them
"""
import numpy as np
import torch
import torch.nn as nn

NAME = "convbn_net"
RES, CLASSES = 96, 10


def conv_bn(cin, cout, k=1, stride=1, groups=1, act=True):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout)]
    return nn.Sequential(*layers, nn.ReLU6()) if act else nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand=6):
        super().__init__()
        hidden = cin * expand
        self.residual = stride == 1 and cin == cout
        self.body = nn.Sequential(conv_bn(cin, hidden),
                                  conv_bn(hidden, hidden, 3, stride, groups=hidden),
                                  conv_bn(hidden, cout, act=False))

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class ConvBNNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = conv_bn(3, 16, 3, 2)
        self.blocks = nn.Sequential(InvertedResidual(16, 24, 2), InvertedResidual(24, 24, 1))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(24, CLASSES)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))


def randomize_batch_norms(module):
    """Random affine parameters and running statistics for every BatchNorm."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)


_MODEL = None


def model():
    global _MODEL
    if _MODEL is None:
        torch.manual_seed(0)
        m = ConvBNNet()
        randomize_batch_norms(m)
        _MODEL = m.eval()
    return _MODEL


def make_inputs(batch=1, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((batch, 3, RES, RES)).astype(np.float32)]


def export(path, batch=1, dynamic_batch=False):
    x = torch.from_numpy(make_inputs(batch)[0])
    dynamic = {"x": {0: "batch"}, "y": {0: "batch"}} if dynamic_batch else None
    # PRESERVE keeps the BatchNormalization nodes (an eval-mode export would
    # fold them itself), so that kiln-fold-conv-bn is what folds them.
    torch.onnx.export(model(), (x,), path, opset_version=17, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE,
                      input_names=["x"], output_names=["y"], dynamic_axes=dynamic)


def torch_callable(inputs):
    ts = [torch.from_numpy(a) for a in inputs]
    m = model()
    return lambda: m(*ts)


def torch_reference(inputs):
    with torch.no_grad():
        return [torch_callable(inputs)().numpy()]
