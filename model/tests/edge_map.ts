// Reads {width, height, pixels: number[]} (RGBA) on stdin, writes the browser's edge map (red channel)
// as JSON: for model/tests/test_edge_map_parity.py.
import { sobelEdges } from '../../shared/edge-map';

let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const { width, height, pixels } = JSON.parse(input) as { width: number; height: number; pixels: number[] };
  const edges = sobelEdges(Uint8ClampedArray.from(pixels), width, height);
  process.stdout.write(JSON.stringify(Array.from({ length: width * height }, (_, i) => edges[4 * i])));
});
