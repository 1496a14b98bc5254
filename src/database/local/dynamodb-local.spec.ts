import { createServer } from 'node:net';
import { findFreePort, JavaMissingError } from './dynamodb-local';

describe('dynamodb-local helpers', () => {
  it('findFreePort returns a port that can be bound on 127.0.0.1', async () => {
    const port = await findFreePort();
    expect(Number.isInteger(port)).toBe(true);
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);

    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
  });

  it('JavaMissingError says, in one line, what to install or which variable to set', () => {
    const err = new JavaMissingError();
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('JavaMissingError');
    expect(err.message).not.toMatch(/\n/);
    expect(err.message).toBe(
      'Java is required to run the embedded DynamoDB Local: install it (apt-get install -y default-jre-headless) or set DYNAMODB_ENDPOINT to a running DynamoDB.',
    );
  });
});
