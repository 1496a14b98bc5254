/**
 * The error the AWS SDK throws when DynamoDB cannot be reached (connection refused): what the
 * adapters must turn into a 503, never a 500 or a business answer.
 */
export function networkOutage(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), {
    code: 'ECONNREFUSED',
    $metadata: {},
  });
}
