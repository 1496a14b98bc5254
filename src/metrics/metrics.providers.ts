import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import {
  AUTH_EVENTS_TOTAL,
  BALANCE_OPERATIONS_TOTAL,
  DYNAMODB_OPERATION_DURATION,
  EMAIL_OUTBOX_OLDEST_PENDING,
  EMAILS_TOTAL,
  HTTP_REQUEST_DURATION,
  HTTP_REQUESTS_TOTAL,
  INVENTORY_CIRCUIT_STATE,
  INVENTORY_REQUESTS_TOTAL,
} from './metric-names';

/** Metric definitions; willsoto reuses an existing metric of the same name (several apps per process). */
export const metricProviders = [
  makeCounterProvider({
    name: HTTP_REQUESTS_TOTAL,
    help: 'HTTP requests served, by method, route template and status.',
    labelNames: ['method', 'route', 'status'],
  }),
  makeHistogramProvider({
    name: HTTP_REQUEST_DURATION,
    help: 'HTTP request duration in seconds, by method, route template and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  }),
  makeHistogramProvider({
    name: DYNAMODB_OPERATION_DURATION,
    help: 'DynamoDB call duration in seconds, by operation.',
    labelNames: ['operation'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  }),
  makeCounterProvider({
    name: AUTH_EVENTS_TOTAL,
    help: 'Authentication events (register, login, refresh, logout, ...) by result.',
    labelNames: ['event', 'result'],
  }),
  makeCounterProvider({
    name: BALANCE_OPERATIONS_TOTAL,
    help: 'Balance operations (deposit, withdraw, hold, ...) by result.',
    labelNames: ['operation', 'result'],
  }),
  makeCounterProvider({
    name: INVENTORY_REQUESTS_TOTAL,
    help: 'Calls to the inventory service for prices, by result (success, not_found, timeout, refused, server_error, bad_response, circuit_open, error).',
    labelNames: ['result'],
  }),
  makeCounterProvider({
    name: EMAILS_TOTAL,
    help: 'Outbox mails handed to the mail system, by template and result (sent, retry, failed).',
    labelNames: ['template', 'result'],
  }),
  makeGaugeProvider({
    name: EMAIL_OUTBOX_OLDEST_PENDING,
    help: "Age in seconds of the oldest pending outbox mail at the dispatcher's last pass (0: none).",
  }),
  makeGaugeProvider({
    name: INVENTORY_CIRCUIT_STATE,
    help: 'Circuit breaker in front of the inventory service: 0 closed, 1 half-open, 2 open.',
  }),
];
