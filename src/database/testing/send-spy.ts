import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Send = (command: object) => Promise<unknown>;

/**
 * `doc` with every `send` recorded by command name (`sent`), in order. `intercept` sees each command
 * first: it may throw (a fault at that point), return an answer of its own (a value or a promise,
 * possibly from `send`, the real client's, with another command), or return undefined to let the
 * real client answer.
 */
export function spyOnSend(
  doc: DynamoDBDocumentClient,
  intercept: (command: object, name: string, send: Send) => unknown = () => undefined,
): { doc: DynamoDBDocumentClient; sent: string[] } {
  const sent: string[] = [];
  const spied = new Proxy(doc, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      const send = (target.send as Send).bind(target);
      return async (command: object) => {
        const name = command.constructor.name;
        sent.push(name);
        const answer = intercept(command, name, send);
        return answer === undefined ? send(command) : answer;
      };
    },
  });
  return { doc: spied, sent };
}
