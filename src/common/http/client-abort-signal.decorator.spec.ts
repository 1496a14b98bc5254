import { EventEmitter } from 'node:events';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import type { ExecutionContext } from '@nestjs/common';
import { ClientAbortSignal } from './client-abort-signal.decorator';

type Factory = (data: unknown, ctx: ExecutionContext) => AbortSignal;

function factoryOf(): Factory {
  class Probe {
    handler(@ClientAbortSignal() _signal: AbortSignal): void {}
  }
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Probe, 'handler') as Record<
    string,
    { factory: Factory }
  >;
  return Object.values(args)[0]!.factory;
}

function signalFor(raw: EventEmitter & { writableFinished: boolean }): AbortSignal {
  const ctx = {
    switchToHttp: () => ({ getResponse: () => ({ raw }) }),
  } as unknown as ExecutionContext;
  return factoryOf()(undefined, ctx);
}

describe('ClientAbortSignal', () => {
  it('aborts when the connection closes before the response is finished', () => {
    const raw = Object.assign(new EventEmitter(), { writableFinished: false });
    const signal = signalFor(raw);
    expect(signal.aborted).toBe(false);
    raw.emit('close');
    expect(signal.aborted).toBe(true);
  });

  it('does not abort when the close follows a finished response', () => {
    const raw = Object.assign(new EventEmitter(), { writableFinished: true });
    const signal = signalFor(raw);
    raw.emit('close');
    expect(signal.aborted).toBe(false);
  });
});
