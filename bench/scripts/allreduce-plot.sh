#!/usr/bin/env bash
# All-reduce bus bandwidth against message size, Ringfold and Open MPI 4.1.4 side by side (np = 2, F32 SUM, same
# sitting), drawn as an SVG: bench/scripts/allreduce-plot.sh [OUT.svg] (default docs/img/allreduce-busbw.svg).
# Needs `make build`, Open MPI (openmpi-bin, libopenmpi-dev) and python3 (standard library only).
set -euo pipefail
ROOT=$(dirname "$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")")
OUT=${1:-$ROOT/docs/img/allreduce-busbw.svg}
SIZES=${SIZES:-8,1K,16K,64K,256K,1M,4M,16M,64M}
ANCHORS=${ANCHORS:-$ROOT/../shared/anchors/ompi}
WORK=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
cp "$ANCHORS/allreduce.c" "$ANCHORS/common.h" "$WORK/"
mpicc -O2 "$WORK/allreduce.c" -o "$WORK/allreduce"
cd "$ROOT"
load=$(cut -d' ' -f1 /proc/loadavg)
bin/ringfold-bench allreduce -np 2 --sizes "$SIZES" --json 2>/dev/null > "$WORK/ringfold.json"
mpirun --allow-run-as-root --bind-to none -np 2 "$WORK/allreduce" -n 300 -m 10 -s "$SIZES" 2>/dev/null \
  | grep -E '^\| [0-9]' > "$WORK/ompi.md"
python3 - "$WORK/ringfold.json" "$WORK/ompi.md" "$OUT" "$load" <<'PY'
import json, math, sys
ours = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
units = {"B": 1, "KiB": 1024, "MiB": 1 << 20}
theirs = []
for line in open(sys.argv[2]):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    number, unit = cells[0].split()
    theirs.append((int(number) * units[unit], float(cells[7])))
series = [("Ringfold", "#d9480f", [(o["bytes"], o["busbw_gbps"]) for o in ours]),
          ("Open MPI 4.1.4", "#1864ab", theirs)]
W, H, L, R, T, B = 720, 420, 70, 20, 40, 60
xs = [math.log2(b) for _, _, pts in series for b, _ in pts]
top = max(v for _, _, pts in series for _, v in pts) * 1.1
x0, x1 = min(xs), max(xs)
X = lambda b: L + (math.log2(b) - x0) / (x1 - x0) * (W - L - R)
Y = lambda v: H - B - v / top * (H - T - B)
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{W/2}" y="22" text-anchor="middle" font-size="15">All-reduce bus bandwidth, np = 2, F32 SUM '
       f'(load {sys.argv[4]})</text>',
       f'<line x1="{L}" y1="{H-B}" x2="{W-R}" y2="{H-B}" stroke="black"/>',
       f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H-B}" stroke="black"/>',
       f'<text x="{W/2}" y="{H-15}" text-anchor="middle">message size (bytes, log scale)</text>',
       f'<text x="18" y="{H/2}" text-anchor="middle" transform="rotate(-90 18 {H/2})">busbw (GB/s)</text>']
for b, _ in series[0][2]:
    label = f"{b>>20}M" if b >= 1 << 20 else f"{b>>10}K" if b >= 1024 else f"{b}"
    svg.append(f'<text x="{X(b):.1f}" y="{H-B+18}" text-anchor="middle">{label}</text>')
steps = 5
for i in range(steps + 1):
    v = top / steps * i
    svg.append(f'<line x1="{L-4}" y1="{Y(v):.1f}" x2="{W-R}" y2="{Y(v):.1f}" stroke="#ddd"/>')
    svg.append(f'<text x="{L-8}" y="{Y(v)+4:.1f}" text-anchor="end">{v:.1f}</text>')
for n, (name, colour, pts) in enumerate(series):
    path = " ".join(f"{X(b):.1f},{Y(v):.1f}" for b, v in pts)
    svg.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
    svg += [f'<circle cx="{X(b):.1f}" cy="{Y(v):.1f}" r="3" fill="{colour}"/>' for b, v in pts]
    svg.append(f'<rect x="{L+20}" y="{T+10+n*18}" width="12" height="12" fill="{colour}"/>')
    svg.append(f'<text x="{L+38}" y="{T+21+n*18}">{name}</text>')
svg.append("</svg>")
open(sys.argv[3], "w").write("\n".join(svg) + "\n")
print(f"wrote {sys.argv[3]}")
PY
