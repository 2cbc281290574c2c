import type { AddressInfo } from 'node:net';
import express from 'express';
import { expressErrorTracing, expressTracing } from '../../packages/tracing/src/express.ts';
import { childSpan, describeAdapter } from '../support/framework-suite.ts';
import { memoryTracing } from '../support/memory-tracing.ts';

const tracing = memoryTracing({ serviceName: 'express-test' });

describeAdapter('Express 5', tracing, async () => {
  const app = express();
  app.use(expressTracing());
  app.use(express.json({ limit: '1mb' }));
  app.get('/orders/:id', (req, res) => {
    childSpan('load-order', () => res.json({ id: req.params.id }));
  });
  app.post('/orders', (req, res) => {
    childSpan('save-order', () => res.status(201).json({ id: (req.body as { id: string }).id }));
  });
  app.get('/boom', async () => {
    throw new Error('handler exploded');
  });
  app.get('/unavailable', (_req, res) => {
    res.status(503).end();
  });
  app.get('/bad', () => {
    throw Object.assign(new Error('bad input'), { status: 400 });
  });
  const users = express.Router({ mergeParams: true });
  users.get('/posts/:postId', (req, res) => {
    res.json(req.params);
  });
  app.use('/api/users/:userId', users);
  app.use(expressErrorTracing());

  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await tracing.shutdown();
    },
  };
});
