"""ResNet's blocks and ResNet-18/50 rebuilt from torch.nn layers.

torchvision cannot be installed beside this torch, so the tests compare
convlib with this re-implementation of torchvision's ``BasicBlock``,
``Bottleneck`` and ``ResNet`` (same layers, names and strides: the
stride on the bottleneck's 3x3, "ResNet v1.5"), and its totals with
torchvision's published figures.
"""
import torch
from torch import nn


def _projection(cin, cout, stride):
    if stride == 1 and cin == cout:
        return None
    return nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                         nn.BatchNorm2d(cout))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.downsample = _projection(cin, cout, stride)

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    def __init__(self, cin, cout, stride=1, mid=None, groups=1):
        super().__init__()
        mid = cout // 4 if mid is None else mid
        self.conv1 = nn.Conv2d(cin, mid, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv2 = nn.Conv2d(mid, mid, 3, stride, 1, groups=groups,
                               bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = nn.Conv2d(mid, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.downsample = _projection(cin, cout, stride)

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


def randomise(module, generator):
    """Batch norms with random affine parameters and statistics, so a
    test sees more than weight 1, bias 0, mean 0, variance 1."""
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                for t in (m.weight, m.bias, m.running_mean):
                    t.copy_(torch.randn(t.shape, generator=generator))
                m.running_var.copy_(
                    torch.rand(m.running_var.shape, generator=generator)
                    + 0.5)
    return module


# (block, expansion, blocks per stage) of the two networks the book shows
RESNETS = {18: (BasicBlock, 1, (2, 2, 2, 2)),
           50: (Bottleneck, 4, (3, 4, 6, 3))}
# torchvision's published figures (ResNet18_Weights / ResNet50_Weights
# meta: num_params, and "_ops" = GMACs of convolutions and matmuls)
PUBLISHED = {18: (11_689_512, 1.814), 50: (25_557_032, 4.089)}


def resnet(depth, num_classes=1000, device=None):
    """torchvision's resnet18 / resnet50 architecture, untrained."""
    block, expansion, counts = RESNETS[depth]
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64),
              nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for stage, (planes, count) in enumerate(zip((64, 128, 256, 512),
                                                counts)):
        for i in range(count):
            stride = 2 if stage > 0 and i == 0 else 1
            layers.append(block(cin, planes * expansion, stride))
            cin = planes * expansion
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(),
               nn.Linear(cin, num_classes)]
    return nn.Sequential(*layers).to(device)


def layer_list(depth, input_size=224, num_classes=1000):
    """The same network as `convlib.shapes` layer descriptions, each
    conv and block with its input size (pooling has no parameters and
    no MACs in the count)."""
    block, expansion, counts = RESNETS[depth]
    name = "basic_block" if block is BasicBlock else "bottleneck_block"
    size = (input_size + 2 * 3 - 7) // 2 + 1  # the 7x7/2 stem
    layers = [("conv2d", dict(in_channels=3, out_channels=64,
                              kernel_size=7, stride=2, padding=3,
                              bias=False, input_size=input_size)),
              ("batch_norm", dict(num_features=64))]
    size = (size + 2 - 3) // 2 + 1  # max pool 3/2, padding 1
    cin = 64
    for stage, (planes, count) in enumerate(zip((64, 128, 256, 512),
                                                counts)):
        for i in range(count):
            stride = 2 if stage > 0 and i == 0 else 1
            layers.append((name, dict(in_channels=cin,
                                      out_channels=planes * expansion,
                                      stride=stride, input_size=size)))
            cin, size = planes * expansion, (size - 1) // stride + 1
    layers.append(("linear", dict(in_features=cin,
                                  out_features=num_classes)))
    return layers
