/** Raw SDK client (`DynamoDBClient`); only persistence adapters and health checks inject it. */
export const DYNAMODB_CLIENT = Symbol('DYNAMODB_CLIENT');
/** Document client (`DynamoDBDocumentClient`) over the same connection pool. */
export const DYNAMODB_DOCUMENT_CLIENT = Symbol('DYNAMODB_DOCUMENT_CLIENT');
