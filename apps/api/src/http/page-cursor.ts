import { BadRequestException } from '@nestjs/common';
import { IndexCursor } from '@app/projections';

/**
 * The opaque `nextCursor` of a paged list: the last index entry the page
 * read, so the next page starts after it. Every paged route shares it.
 */
export const encodeCursor = (cursor: IndexCursor) =>
  Buffer.from(JSON.stringify([cursor.score, cursor.member])).toString('base64url');

export function decodeCursor(raw: string): IndexCursor {
  try {
    const [score, member] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof score === 'number' && typeof member === 'string') return { score, member };
  } catch {
    // fall through
  }
  throw new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    code: 'INVALID_CURSOR',
    message: 'cursor must be the nextCursor of a previous page',
  });
}
