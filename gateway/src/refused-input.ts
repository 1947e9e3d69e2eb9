import { AppError } from '@shop/service-kit';

/**
 * BAD_USER_INPUT for a request refused as a whole before it runs, naming the field at fault. It
 * carries HTTP 400: Apollo Server answers 500 for an error thrown before execution without one.
 */
export class RefusedInputError extends AppError {
  constructor(message: string, field: string) {
    super('BAD_USER_INPUT', message, { field, http: { status: 400 } });
  }
}
