import { Hono } from 'hono';
import type { ExecutionResponse, ExecutionsResponse } from '../api.js';
import type { ExecutionSource } from '../executions.js';
import { layoutDefinition, withTakenEdges } from '../graph.js';

export function executionRoutes(source: ExecutionSource): Hono {
  const r = new Hono();
  r.get('/', async (c) => {
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 200) || 200, 1), 1000);
    return c.json({ kind: source.kind, executions: await source.list(limit) } satisfies ExecutionsResponse);
  });
  r.get('/:id', async (c) => {
    const record = await source.get(c.req.param('id'));
    if (!record) return c.json({ error: 'NotFound', message: `No recorded execution ${c.req.param('id')}.` }, 404);
    // Drawn from the definition the run itself used, so an old record never shows a newer graph.
    return c.json({ record, graph: withTakenEdges(layoutDefinition(record.definition), record.states) } satisfies ExecutionResponse);
  });
  return r;
}
