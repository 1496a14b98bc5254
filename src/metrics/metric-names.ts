export const HTTP_REQUESTS_TOTAL = 'http_requests_total';
export const HTTP_REQUEST_DURATION = 'http_request_duration_seconds';
export const DYNAMODB_OPERATION_DURATION = 'dynamodb_operation_duration_seconds';
export const AUTH_EVENTS_TOTAL = 'auth_events_total';
export const BALANCE_OPERATIONS_TOTAL = 'balance_operations_total';
export const INVENTORY_REQUESTS_TOTAL = 'inventory_requests_total';
export const INVENTORY_CIRCUIT_STATE = 'inventory_circuit_state';
