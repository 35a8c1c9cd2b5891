import { ArgumentsHost, Logger } from '@nestjs/common';
import { UnexpectedErrorFilter } from './error-responses';

/** The reply as the filter uses it, recording what it was given. */
function replyRecorder() {
  const sent: { status?: number; body?: unknown; headers: Record<string, string> } = { headers: {} };
  const reply = {
    header: (name: string, value: string) => ((sent.headers[name] = value), reply),
    status: (status: number) => ((sent.status = status), reply),
    send: (body: unknown) => ((sent.body = body), reply),
  };
  return { reply, sent };
}

const hostFor = (requestId: string, reply: unknown) =>
  ({
    switchToHttp: () => ({ getRequest: () => ({ id: requestId }), getResponse: () => reply }),
  }) as unknown as ArgumentsHost;

describe('UnexpectedErrorFilter', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));

  it('answers 500 without the details, naming the correlation id the details are logged under', () => {
    const { reply, sent } = replyRecorder();
    new UnexpectedErrorFilter().catch(new Error('secret internals'), hostFor('client-trace-42', reply));
    expect(sent.status).toBe(500);
    expect(sent.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL_ERROR',
      message: 'an unexpected error occurred; it is logged under correlation id client-trace-42',
    });
  });
});
