/**
 * Routes a state machine graph's edges around its states. States sit in rows with free channels between
 * them. An edge leaves its state's bottom, runs along the channel below it, goes down (or, for a loop,
 * up) a lane clear of every box on the way, runs along the channel above its target and enters the
 * target from the top: every segment is in a channel or a clear lane, so it crosses no state it does not
 * connect. Edges leaving (or entering) one state get ports of their own along its side.
 */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Row {
  top: number;
  bottom: number;
}

export interface Route {
  /** The orthogonal route's corners, from the source's port to the target's. */
  points: [number, number][];
  /** SVG path data: the route with rounded corners. */
  path: string;
  labelX: number;
  labelY: number;
  labelAnchor: "start" | "end";
}

interface Wanted {
  from: string;
  to: string;
}

/** Between two ports on one side of a state. */
const PORT_GAP = 14;
/** Room between a lane and a box, and between two lanes. */
const CLEARANCE = 6;
const CORNER = 6;

/**
 * Routes `edges` between the `boxes` (laid out in `rows`, `rowOf` giving each box's row) with `gap` between
 * the boxes of a row. Returns a route for each edge, in order, and the width the routes need (lanes round
 * the right side may reach past the widest row).
 */
export function routeEdges<E extends Wanted>(
  edges: E[],
  boxes: Map<string, Box>,
  rowOf: Map<string, number>,
  rows: Row[],
  gap: number,
): { routes: (Route | undefined)[]; width: number } {
  const all = [...boxes.values()];
  const right = Math.max(0, ...all.map((b) => b.x + b.width));
  const centre = (id: string) => {
    const b = boxes.get(id) as Box;
    return b.x + b.width / 2;
  };
  const drawn = edges.filter((e) => boxes.has(e.from) && boxes.has(e.to));
  const span = (e: E) => (rowOf.get(e.to) ?? 0) - (rowOf.get(e.from) ?? 0);

  // Ports: a state's exits ordered by where they head, its entries by where they come from.
  const exits = new Map<E, number>();
  const entries = new Map<E, number>();
  const spread = (list: E[], box: Box, into: Map<E, number>) => {
    const room = Math.max(0, box.width / 2 - 10);
    list.forEach((e, i) => {
      const offset = (i - (list.length - 1) / 2) * PORT_GAP;
      into.set(e, box.x + box.width / 2 + Math.max(-room, Math.min(room, offset)));
    });
  };
  for (const [id, box] of boxes) {
    const out = drawn.filter((e) => e.from === id);
    // By target, then the longer hops (which take the lanes round the right) to the right.
    out.sort((a, b) => centre(a.to) - centre(b.to) || span(a) - span(b));
    spread(out, box, exits);
  }
  for (const [id, box] of boxes) {
    const into = drawn.filter((e) => e.to === id);
    into.sort((a, b) => (exits.get(a) ?? 0) - (exits.get(b) ?? 0) || span(b) - span(a));
    spread(into, box, entries);
  }

  // Channels: channel k is the free band below row k (-1: above the first row).
  const channelTop = (k: number) => (k < 0 ? (rows[0]?.top ?? 0) - gap : (rows[k] as Row).bottom);
  const channelBottom = (k: number) => (k + 1 < rows.length ? (rows[k + 1] as Row).top : channelTop(k) + gap);
  const channelMid = (k: number) => (channelTop(k) + channelBottom(k)) / 2;

  interface Plan {
    edge: E;
    sx: number;
    tx: number;
    below: number;
    above: number;
    lane?: number;
  }
  const lanes: { x: number; top: number; bottom: number; to: string }[] = [];
  let outer = right + gap / 2;
  let width = right;
  const plans: Plan[] = [];
  for (const edge of drawn) {
    const sx = exits.get(edge) as number;
    const tx = entries.get(edge) as number;
    const below = rowOf.get(edge.from) ?? 0;
    const above = (rowOf.get(edge.to) ?? 0) - 1;
    const plan: Plan = { edge, sx, tx, below, above };
    if (below !== above) {
      const top = Math.min(channelMid(below), channelMid(above));
      const bottom = Math.max(channelMid(below), channelMid(above));
      const clear = (x: number) =>
        x >= 0 &&
        all.every(
          (b) => x <= b.x - CLEARANCE || x >= b.x + b.width + CLEARANCE || b.y + b.height <= top || b.y >= bottom,
        ) &&
        lanes.every((l) => l.to === edge.to || Math.abs(l.x - x) >= CLEARANCE || l.bottom <= top || l.top >= bottom);
      const candidates = [sx, tx];
      for (const b of all) {
        if (b.y + b.height <= top || b.y >= bottom) continue;
        for (const side of [b.x - gap / 2, b.x + b.width + gap / 2]) candidates.push(side, side - 8, side + 8);
      }
      const cost = (x: number) => Math.abs(x - sx) + Math.abs(x - tx);
      let lane = candidates.filter(clear).sort((a, b) => cost(a) - cost(b))[0];
      while (lane === undefined) {
        if (clear(outer)) lane = outer;
        outer += CLEARANCE * 2;
      }
      lanes.push({ x: lane, top, bottom, to: edge.to });
      width = Math.max(width, lane + gap / 2);
      plan.lane = lane;
    }
    plans.push(plan);
  }

  // Tracks: in each channel, the edges leaving one state share a level, as do the edges entering one.
  const tracks = new Map<number, string[]>();
  const track = (k: number, key: string) => {
    const list = tracks.get(k) ?? [];
    if (!list.includes(key)) list.push(key);
    tracks.set(k, list);
  };
  for (const p of plans) {
    track(p.below, `from:${p.edge.from}`);
    if (p.lane !== undefined) track(p.above, `to:${p.edge.to}`);
  }
  const level = (k: number, key: string) => {
    const list = tracks.get(k) as string[];
    return channelTop(k) + ((channelBottom(k) - channelTop(k)) * (list.indexOf(key) + 1)) / (list.length + 1);
  };

  const routes = new Map<E, Route>();
  for (const p of plans) {
    const from = boxes.get(p.edge.from) as Box;
    const to = boxes.get(p.edge.to) as Box;
    const y1 = level(p.below, `from:${p.edge.from}`);
    const points: [number, number][] = [
      [p.sx, from.y + from.height],
      [p.sx, y1],
    ];
    if (p.lane === undefined) {
      points.push([p.tx, y1]);
    } else {
      const y2 = level(p.above, `to:${p.edge.to}`);
      points.push([p.lane, y1], [p.lane, y2], [p.tx, y2]);
    }
    points.push([p.tx, to.y]);
    const corners = simplify(points);
    // A label reads away from its state's other exits: left of a left port, right of a right one.
    const heading = p.sx - (from.x + from.width / 2) || (p.lane ?? p.tx) - p.sx;
    routes.set(p.edge, {
      points: corners,
      path: rounded(corners),
      // Beside the edge's first stretch, where the edges leaving one Choice are still apart.
      labelX: p.sx + (heading < 0 ? -4 : 4),
      labelY: from.y + from.height + 12,
      labelAnchor: heading < 0 ? "end" : "start",
    });
  }
  return { routes: edges.map((e) => routes.get(e)), width };
}

/** Drops repeated points and the middle of three in a line. */
function simplify(points: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const point of points) {
    const last = out[out.length - 1];
    if (last && last[0] === point[0] && last[1] === point[1]) continue;
    const before = out[out.length - 2];
    const inLine =
      before &&
      last &&
      ((before[0] === last[0] && last[0] === point[0]) || (before[1] === last[1] && last[1] === point[1]));
    if (inLine) {
      out[out.length - 1] = point;
      continue;
    }
    out.push(point);
  }
  return out;
}

const num = (n: number) => Number(n.toFixed(2));

/** The route as SVG path data, each corner rounded by a quadratic curve whose control point is the corner. */
function rounded(points: [number, number][]): string {
  const [first, ...rest] = points;
  if (!first) return "";
  let d = `M${num(first[0])},${num(first[1])}`;
  for (let i = 0; i < rest.length; i++) {
    const corner = rest[i] as [number, number];
    const next = rest[i + 1];
    const prev = (i === 0 ? first : rest[i - 1]) as [number, number];
    if (!next) {
      d += ` L${num(corner[0])},${num(corner[1])}`;
      break;
    }
    const r = Math.min(CORNER, distance(prev, corner) / 2, distance(corner, next) / 2);
    const into = toward(corner, prev, r);
    const out = toward(corner, next, r);
    d += ` L${num(into[0])},${num(into[1])} Q${num(corner[0])},${num(corner[1])} ${num(out[0])},${num(out[1])}`;
  }
  return d;
}

function distance(a: [number, number], b: [number, number]): number {
  return Math.hypot(b[0] - a[0], b[1] - a[1]);
}

function toward(from: [number, number], to: [number, number], length: number): [number, number] {
  const d = distance(from, to) || 1;
  return [from[0] + ((to[0] - from[0]) * length) / d, from[1] + ((to[1] - from[1]) * length) / d];
}
