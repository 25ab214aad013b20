"""
The seed's stack, timed the way bench/classify.ts times ours (npm run bench runs this when a Python 3
with torch and torchvision is present: Debian's python3-torch and python3-torchvision install offline).

The seed served a torchvision ResNet (its code loads ResNet-18; ResNet-50 is the architecture it named)
behind PIL decoding and torchvision's transforms. The weights here are random (torchvision's pretrained
files cannot be downloaded on these machines): a forward pass costs the same whatever the weights, so
these are timings only, never labels.

argv: <image path> <threads> <runs>. Prints one JSON object: per model, cold init (this process's start
to its first result, as the parent measures it: interpreter start + import torch + model construction +
first image), warm preprocess / inference / total p50 on the same image, RSS.
"""
import json
import resource
import statistics
import sys
import time

started = time.perf_counter()
import torch  # noqa: E402  (the import is part of the cold start being measured)
import torchvision  # noqa: E402
from PIL import Image  # noqa: E402
from torchvision import transforms  # noqa: E402

imported = time.perf_counter()
path, threads, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
which = sys.argv[4].split(",") if len(sys.argv) > 4 else ["resnet50", "resnet18"]
torch.set_num_threads(threads)

preprocess = transforms.Compose(
    [
        transforms.Resize(256),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ]
)


def tensor_for(p):
    with Image.open(p) as im:
        return preprocess(im.convert("RGB")).unsqueeze(0)


def top5(model, x):
    with torch.no_grad():
        return torch.topk(torch.softmax(model(x), dim=1), 5)


def p50(fn, n):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


out = {"torch": torch.__version__, "torchvision": torchvision.__version__, "threads": threads, "importTorchMs": (imported - started) * 1000, "models": {}}
for i, name in enumerate(which):
    t0 = time.perf_counter()
    model = getattr(torchvision.models, name)(weights=None).eval()
    built = time.perf_counter()
    top5(model, tensor_for(path))
    first = time.perf_counter()
    x = tensor_for(path)
    for _ in range(3):
        top5(model, x)
    entry = {
        "constructMs": (built - t0) * 1000,
        "firstImageMs": (first - built) * 1000,
        "preprocessP50Ms": p50(lambda: tensor_for(path), runs),
        "inferenceP50Ms": p50(lambda: top5(model, x), runs),
        "warmP50Ms": p50(lambda: top5(model, tensor_for(path)), runs),
    }
    # Only the first model's first result is a cold start of this process.
    if i == 0:
        entry["processToFirstResultMs"] = (first - started) * 1000
    out["models"][name] = entry
out["rssMB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
