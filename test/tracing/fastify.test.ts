import Fastify from 'fastify';
import { fastifyTracing } from '../../packages/tracing/src/fastify.ts';
import { childSpan, describeAdapter } from '../support/framework-suite.ts';
import { memoryTracing } from '../support/memory-tracing.ts';

const tracing = memoryTracing({ serviceName: 'fastify-test' });

describeAdapter('Fastify 5', tracing, async () => {
  const app = Fastify({ bodyLimit: 1_000_000 });
  await app.register(fastifyTracing);
  app.get<{ Params: { id: string } }>('/orders/:id', async (request) => childSpan('load-order', () => ({ id: request.params.id })));
  app.post<{ Body: { id: string } }>('/orders', async (request, reply) =>
    childSpan('save-order', () => reply.code(201).send({ id: request.body.id })),
  );
  app.get('/boom', async () => {
    throw new Error('handler exploded');
  });
  app.get('/unavailable', async (_request, reply) => reply.code(503).send());
  app.get('/bad', async () => {
    throw Object.assign(new Error('bad input'), { statusCode: 400 });
  });
  await app.register(
    async (users) => {
      users.get('/posts/:postId', async (request) => request.params);
    },
    { prefix: '/api/users/:userId' },
  );
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    base: address,
    close: async () => {
      await app.close();
      await tracing.shutdown();
    },
  };
});
