import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * `doc` with every `send` recorded by command name (`sent`), in order. `intercept` sees each command
 * first: it may throw (a fault at that point) or return undefined to let the real client answer.
 */
export function spyOnSend(
  doc: DynamoDBDocumentClient,
  intercept: (command: object, name: string) => void = () => undefined,
): { doc: DynamoDBDocumentClient; sent: string[] } {
  const sent: string[] = [];
  const spied = new Proxy(doc, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (command: object) => {
        const name = command.constructor.name;
        sent.push(name);
        intercept(command, name);
        return (target.send as (c: object) => Promise<unknown>)(command);
      };
    },
  });
  return { doc: spied, sent };
}
