import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../common/decorators/public.decorator';
import { NotFoundError } from '../../common/errors';
import { APP_CONFIG, AppConfig } from '../../config';
import { ACCOUNT_PAGES_SCRIPT, accountPage } from './account-pages';

/**
 * The pages mail links open when APP_BASE_URL is this service (outside production only; in
 * production the front end serves the same paths). A GET never consumes a token — mail scanners
 * pre-fetch links — and the token rides in the URL fragment, which browsers never send: the page's
 * script reads it and POSTs it when the user clicks.
 */
@Public()
@ApiExcludeController()
@Controller()
export class AccountPagesController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('verify-email')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  verifyEmail(): string {
    this.assertServed();
    return accountPage('verify');
  }

  @Get('reset-password')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  resetPassword(): string {
    this.assertServed();
    return accountPage('reset');
  }

  @Get('account-pages.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(): string {
    this.assertServed();
    return ACCOUNT_PAGES_SCRIPT;
  }

  private assertServed(): void {
    if (this.config.isProduction) throw new NotFoundError();
  }
}
