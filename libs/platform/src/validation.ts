import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { InvalidInputException } from './problem-details.filter.js';

function fieldErrors(
  errors: readonly ValidationError[],
  parent = '',
): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = parent === '' ? error.property : `${parent}.${error.property}`;
    return [
      ...Object.values(error.constraints ?? {}).map((message) => ({ field, message })),
      ...fieldErrors(error.children ?? [], field),
    ];
  });
}

/** Rejects unknown and invalid fields with a 400 naming each one. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new InvalidInputException(fieldErrors(errors)),
  });
}
