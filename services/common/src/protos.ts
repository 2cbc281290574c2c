/**
 * Loads proto/order.proto and proto/inventory.proto at run time (no codegen
 * step) and gives typed, promise-returning clients with the tracing
 * interceptor and a deadline on every call.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { grpcClientInterceptor } from '@tracewire/tracing/grpc';

const PROTO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto');

export interface CreateOrderRequest {
  customer_id: string;
  product_id: string;
  quantity: number;
  amount: number;
  /** Optional (empty when absent): repeats of a request with this key, by the same customer, get the first answer. */
  idempotency_key?: string;
}
export interface GetOrderRequest {
  order_id: string;
}
export interface Order {
  order_id: string;
  customer_id: string;
  product_id: string;
  quantity: number;
  amount: number;
  status: string;
  created_at: string;
  reservation_id: string;
}
export interface StockRequest {
  product_id: string;
  quantity: number;
}
export interface StockReply {
  product_id: string;
  available: boolean;
  in_stock: number;
}
export interface ReserveRequest {
  order_id: string;
  product_id: string;
  quantity: number;
}
export interface ReserveReply {
  reservation_id: string;
  remaining: number;
}
export interface ReleaseRequest {
  order_id: string;
}
export interface ReleaseReply {
  released: boolean;
  reservation_id: string;
  quantity: number;
}

interface ShopPackage {
  tracewire: { shop: { v1: { OrderService: grpc.ServiceClientConstructor; InventoryService: grpc.ServiceClientConstructor } } };
}

let loaded: ShopPackage['tracewire']['shop']['v1'] | undefined;

function shop(): ShopPackage['tracewire']['shop']['v1'] {
  if (!loaded) {
    const definition = protoLoader.loadSync([path.join(PROTO_DIR, 'order.proto'), path.join(PROTO_DIR, 'inventory.proto')], {
      keepCase: true,
      longs: Number,
      defaults: true,
    });
    loaded = (grpc.loadPackageDefinition(definition) as unknown as ShopPackage).tracewire.shop.v1;
  }
  return loaded;
}

export const orderServiceDefinition = (): grpc.ServiceDefinition => shop().OrderService.service;
export const inventoryServiceDefinition = (): grpc.ServiceDefinition => shop().InventoryService.service;

type Callback<R> = (error: grpc.ServiceError | null, reply?: R) => void;
type RawMethod<Q, R> = (request: Q, metadata: grpc.Metadata, options: grpc.CallOptions, callback: Callback<R>) => void;

/** A unary call as a promise; `deadline` is absolute (Date or ms since epoch). */
export type UnaryCall<Q, R> = (request: Q, deadline: Date | number) => Promise<R>;

function unary<Q, R>(client: grpc.Client, name: string): UnaryCall<Q, R> {
  const method = (client as unknown as Record<string, RawMethod<Q, R>>)[name];
  if (!method) throw new Error(`gRPC client has no method ${name}`);
  return (request, deadline) =>
    new Promise<R>((resolve, reject) =>
      method.call(client, request, new grpc.Metadata(), { deadline }, (error, reply) =>
        error ? reject(error) : resolve(reply as R),
      ),
    );
}

function makeClient(ctor: grpc.ServiceClientConstructor, target: string): grpc.Client {
  return new ctor(target, grpc.credentials.createInsecure(), { interceptors: [grpcClientInterceptor({ target })] });
}

export interface OrdersClient {
  createOrder: UnaryCall<CreateOrderRequest, Order>;
  getOrder: UnaryCall<GetOrderRequest, Order>;
  close(): void;
}

export function ordersClient(target: string): OrdersClient {
  const client = makeClient(shop().OrderService, target);
  return { createOrder: unary(client, 'CreateOrder'), getOrder: unary(client, 'GetOrder'), close: () => client.close() };
}

export interface InventoryClient {
  checkStock: UnaryCall<StockRequest, StockReply>;
  reserve: UnaryCall<ReserveRequest, ReserveReply>;
  release: UnaryCall<ReleaseRequest, ReleaseReply>;
  close(): void;
}

export function inventoryClient(target: string): InventoryClient {
  const client = makeClient(shop().InventoryService, target);
  return {
    checkStock: unary(client, 'CheckStock'),
    reserve: unary(client, 'Reserve'),
    release: unary(client, 'Release'),
    close: () => client.close(),
  };
}

/** A gRPC error with a status code, for handlers to pass to the callback. */
export function grpcError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

export function isServiceError(error: unknown): error is grpc.ServiceError {
  return error instanceof Error && typeof (error as Partial<grpc.ServiceError>).code === 'number';
}

/** Binds `server` on `host:port` (0 = any free port) and returns the bound address. */
export function bindServer(server: grpc.Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(`${host}:${bound}`),
    ),
  );
}

/** Stops accepting calls, lets running ones finish (force after `graceMs`). */
export function drainServer(server: grpc.Server, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
