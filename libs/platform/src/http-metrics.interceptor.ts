import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { METRICS_REGISTRY } from '@aegis/observability';
import { Histogram, type Registry } from 'prom-client';
import { finalize, type Observable } from 'rxjs';

/** The route a request matched, as Express (`route.path`) or Fastify (`routeOptions.url`) tells it. */
interface RoutedRequest {
  readonly method: string;
  readonly route?: { readonly path?: string };
  readonly routeOptions?: { readonly url?: string };
}

@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  private readonly duration: Histogram<'method' | 'route' | 'status'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.duration = new Histogram({
      name: 'aegis_http_request_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<RoutedRequest>();
    const stop = this.duration.startTimer({ method: request.method });
    return next.handle().pipe(
      finalize(() => {
        const route = request.route?.path ?? request.routeOptions?.url ?? 'unmatched';
        stop({ route, status: String(http.getResponse<{ statusCode: number }>().statusCode) });
      }),
    );
  }
}
