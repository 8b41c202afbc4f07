import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { PUBLIC_API_PATHS } from '@aegis/contracts';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** The OpenAPI 3.1 description of the public API, generated from the controllers and DTOs. */
export function openApiDocumentOf(app: NestExpressApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Aegis Payments')
    .setDescription(
      'Self-hosted payments and billing: customers, API keys, metering, pricing, invoices, payments, subscriptions, disputes and revenue. Errors are RFC 9457 application/problem+json.',
    )
    .setVersion('v1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'an admin key or a customer key (ak_…)',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // Health and metrics are for operators' probes, not part of the product's API.
  document.paths = Object.fromEntries(
    Object.entries(document.paths).filter(
      ([path]) => path.startsWith('/api/') || path.startsWith('/proxy/'),
    ),
  );
  return document;
}

/** Serves the document at /api/v1/openapi.json and Swagger UI at /api/docs. */
export function mountApiDocs(app: NestExpressApplication): void {
  const document = openApiDocumentOf(app);
  SwaggerModule.setup(PUBLIC_API_PATHS.docs, app, document, {
    jsonDocumentUrl: PUBLIC_API_PATHS.openapi,
    raw: ['json'],
  });
}
