import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Hands handler errors to the transport unchanged. Nest's default RPC filter
 * replaces them with a generic object, which would hide the reason from the
 * retry log, the dead-letter header and the RPC error mapping.
 */
@Catch()
export class PropagateHandlerErrorsFilter implements RpcExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
