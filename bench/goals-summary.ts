/**
 * The goals block of `npm run bench` as a compact table for the text output: one line per goal, "name
 * value goal met/not met", so a reader sees at a glance which of issue 23's targets this run reached.
 */

/** One goal: the figure this run measured, the target it is held to, and whether it reached it. */
export interface GoalFigure {
  value: number;
  target: string;
  met: boolean;
}

/** The bench's `goals`: what they were measured on, the exact-int8 flag, and the goal figures. */
export type BenchGoals = { model: string; exactInt8: boolean } & { [goal: string]: GoalFigure | string | boolean };

function isGoalFigure(v: unknown): v is GoalFigure {
  return typeof v === 'object' && v !== null && typeof (v as GoalFigure).value === 'number' && typeof (v as GoalFigure).met === 'boolean';
}

/** The lines to print (no trailing newline): a header, then each goal in the block's order. */
export function goalsSummary(goals: BenchGoals): string {
  const rows: string[][] = [];
  for (const [name, v] of Object.entries(goals)) {
    if (name === 'exactInt8') rows.push([name, v ? 'yes' : 'no', 'yes', v ? 'met' : 'not met']);
    else if (isGoalFigure(v)) rows.push([name, String(v.value), v.target, v.met ? 'met' : 'not met']);
  }
  const header = ['goal', 'value', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const met = rows.filter((r) => r[3] === 'met').length;
  return [`goals for ${goals.model}: ${met} of ${rows.length} met`, line(header), ...rows.map(line)].join('\n');
}
