import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { honoTracing } from '../../packages/tracing/src/hono.ts';
import { childSpan, describeAdapter } from '../support/framework-suite.ts';
import { memoryTracing } from '../support/memory-tracing.ts';

const tracing = memoryTracing({ serviceName: 'hono-test' });

describeAdapter('Hono on @hono/node-server', tracing, async () => {
  const app = new Hono();
  app.use(honoTracing());
  app.get('/orders/:id', (c) => childSpan('load-order', () => c.json({ id: c.req.param('id') })));
  app.post('/orders', async (c) => {
    const body = await c.req.json<{ id: string }>();
    return childSpan('save-order', () => c.json({ id: body.id }, 201));
  });
  app.get('/boom', () => {
    throw new Error('handler exploded');
  });
  app.get('/unavailable', (c) => c.body(null, 503));
  app.get('/bad', () => {
    throw new HTTPException(400, { message: 'bad input' });
  });
  const users = new Hono();
  users.get('/posts/:postId', (c) => c.json(c.req.param()));
  app.route('/api/users/:userId', users);

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await tracing.shutdown();
    },
  };
});
