import { Body, Controller, Param, Post } from '@nestjs/common';
import { handlerTakesBody, unexpectedBodyErrors } from './unexpected-body.interceptor';

@Controller()
class Probe {
  @Post('with')
  withBody(@Param('id') _id: string, @Body() _body: object): void {}

  @Post('without')
  withoutBody(@Param('id') _id: string): void {}
}

describe('UnexpectedBodyInterceptor', () => {
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
});
