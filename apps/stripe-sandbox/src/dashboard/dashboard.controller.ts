import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DashboardService } from './dashboard.service.js';
import { escapeHtml, htmlPage, sendHtml } from '../core/html.js';

/** `/_sandbox`: HTML pages for people trying the sandbox (no API key; not part of Stripe's API). */
@Controller('_sandbox')
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  overview(@Res() response: Response): void {
    sendHtml(response, 200, this.dashboard.overview());
  }

  @Get('objects/:id')
  object(@Param('id') id: string, @Res() response: Response): void {
    const page = this.dashboard.objectPage(id);
    if (page === null) {
      sendHtml(
        response,
        404,
        htmlPage(
          'Not found – Stripe sandbox',
          `<p><a href="/_sandbox">← Stripe sandbox</a></p>
<h1>Not found</h1>
<p>There is no object <code>${escapeHtml(id)}</code> in this sandbox.</p>`,
        ),
      );
      return;
    }
    sendHtml(response, 200, page);
  }
}
