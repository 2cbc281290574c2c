/** inventory: gRPC service over its own SQLite store. Wiring only. */
import { initTracing, createLogger } from '@tracewire/tracing';
import { traceGrpcService } from '@tracewire/tracing/grpc';
import { Server } from '@grpc/grpc-js';
import { bindServer, createLifecycle, drainServer, inventoryServiceDefinition } from '@tracewire/service-common';
import { loadConfig } from './config.ts';
import { failingRelease, inventoryHandlers, slowedBy } from './handlers/inventory.ts';
import { openInventoryStore } from './store.ts';

const tracing = initTracing({ serviceName: 'inventory', serviceVersion: '0.1.0' });
const log = createLogger('inventory');
const lifecycle = createLifecycle('inventory', log, tracing);

const config = loadConfig();
const store = openInventoryStore(config.dbFile);
const server = new Server();
const definition = inventoryServiceDefinition();
server.addService(definition, traceGrpcService(definition, slowedBy(config.delayMs, failingRelease(config.failReleaseTimes, inventoryHandlers(store, log)))));
const address = await bindServer(server, config.host, config.port);

lifecycle.onShutdown('grpc server', () => drainServer(server));
lifecycle.onShutdown('store', () => store.close());
lifecycle.ready({ address });
