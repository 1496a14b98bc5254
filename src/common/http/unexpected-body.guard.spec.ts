import { Body, Controller, Param, Post } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { ValidationFailedError } from '../errors';
import {
  handlerTakesBody,
  UnexpectedBodyGuard,
  unexpectedBodyErrors,
} from './unexpected-body.guard';

@Controller()
class Probe {
  @Post('with')
  withBody(@Param('id') _id: string, @Body() _body: object): void {}

  @Post('without')
  withoutBody(@Param('id') _id: string): void {}
}

describe('UnexpectedBodyGuard', () => {
  it('tells handlers that declare @Body() from those that do not', () => {
    expect(handlerTakesBody(Probe, 'withBody')).toBe(true);
    expect(handlerTakesBody(Probe, 'withoutBody')).toBe(false);
  });

  it('accepts no body, null and {}', () => {
    expect(unexpectedBodyErrors(undefined)).toEqual([]);
    expect(unexpectedBodyErrors(null)).toEqual([]);
    expect(unexpectedBodyErrors({})).toEqual([]);
  });

  it('names every field of an object body, and refuses any other body', () => {
    expect(unexpectedBodyErrors({ role: 'admin', status: 'active' })).toEqual([
      { field: 'role', message: 'unknown field role' },
      { field: 'status', message: 'unknown field status' },
    ]);
    expect(unexpectedBodyErrors([])).toEqual([
      { field: 'body', message: 'this operation takes no request body' },
    ]);
    expect(unexpectedBodyErrors('x')).toHaveLength(1);
    expect(unexpectedBodyErrors(0)).toHaveLength(1);
  });

  it('refuses a body on a route that takes none, and lets everything else through', () => {
    const guard = new UnexpectedBodyGuard();
    const context = (handler: keyof Probe, body: unknown) =>
      ({
        getType: () => 'http',
        getClass: () => Probe,
        getHandler: () => Probe.prototype[handler],
        switchToHttp: () => ({ getRequest: () => ({ body }) }),
      }) as unknown as ExecutionContext;
    expect(() => guard.canActivate(context('withoutBody', { role: 'admin' }))).toThrow(
      ValidationFailedError,
    );
    expect(guard.canActivate(context('withoutBody', {}))).toBe(true);
    expect(guard.canActivate(context('withoutBody', undefined))).toBe(true);
    expect(guard.canActivate(context('withBody', { role: 'admin' }))).toBe(true);
    // Asked again (the answer per handler is cached): the same verdicts.
    expect(() => guard.canActivate(context('withoutBody', [1]))).toThrow(ValidationFailedError);
    expect(guard.canActivate(context('withBody', [1]))).toBe(true);
  });
});
