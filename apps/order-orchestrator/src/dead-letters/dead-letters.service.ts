import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Kafka } from 'kafkajs';
import type { Principal } from '@fil/auth';
import { Topics } from '@fil/contracts';
import { DeadLetterQueue, isDeadLetterId, KAFKA, physicalTopic } from '@fil/messaging';
import type { DeadLetterView, RedriveView } from './dto/dead-letter.view';

interface RedriveRow {
  dead_letter_id: string;
  redriven_by: string;
  /** ISO 8601, as the API answers it. */
  redriven_at: string;
}

const REDRIVE_COLUMNS = `dead_letter_id, redriven_by, to_char(redriven_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as redriven_at`;

/** The DLQ for ops over HTTP: the same reading and re-sending as `npm run dlq`, each letter re-sent once from here. */
@Injectable()
export class DeadLettersService {
  private readonly queue: DeadLetterQueue;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    private readonly em: EntityManager,
  ) {
    this.queue = new DeadLetterQueue(kafka, Topics.dlq);
  }

  /** The newest `limit` dead letters, newest first, with their redrive if there was one. */
  async list(limit: number): Promise<DeadLetterView[]> {
    const letters = (await brokerAnswer(`could not read ${Topics.dlq}`, this.queue.list(limit))).reverse().slice(0, limit);
    const rows = letters.length
      ? await this.em.fork().execute<RedriveRow[]>(
          `select ${REDRIVE_COLUMNS} from dead_letter_redrive where dlq_topic = ? and dead_letter_id in (select jsonb_array_elements_text(?::jsonb))`,
          [physicalTopic(Topics.dlq), JSON.stringify(letters.map((letter) => letter.id))],
        )
      : [];
    const redrives = new Map(rows.map((row) => [row.dead_letter_id, row]));
    return letters.map((letter) => ({ ...letter, redrivenAt: redrives.get(letter.id)?.redriven_at ?? null, redrivenBy: redrives.get(letter.id)?.redriven_by ?? null }));
  }

  /**
   * Sends the original message again, once: the redrive is recorded in the transaction that
   * sends it, so a second request (or a concurrent one) is refused rather than sent twice.
   */
  async redrive(id: string, caller: Principal): Promise<RedriveView> {
    if (!isDeadLetterId(id)) throw new BadRequestException(`${id} is not a dead letter id: partition:offset, as GET /dead-letters lists them`);
    const letter = await brokerAnswer(`could not read ${Topics.dlq}`, this.queue.find(id));
    if (!letter) throw new NotFoundException(`no dead letter ${id} on ${Topics.dlq}`);
    return this.em.fork().transactional(async (em) => {
      const [recorded] = await em.execute<RedriveRow[]>(
        `insert into dead_letter_redrive (dlq_topic, dead_letter_id, original_topic, redriven_by) values (?, ?, ?, ?)
         on conflict do nothing returning ${REDRIVE_COLUMNS}`,
        [physicalTopic(Topics.dlq), id, letter.originalTopic, caller.sub],
      );
      if (!recorded) {
        const [earlier] = await em.execute<RedriveRow[]>(`select ${REDRIVE_COLUMNS} from dead_letter_redrive where dlq_topic = ? and dead_letter_id = ?`, [physicalTopic(Topics.dlq), id]);
        throw new ConflictException(
          `dead letter ${id} was already re-sent to ${letter.originalTopic} at ${earlier.redriven_at} by ${earlier.redriven_by}; if ${letter.consumer} refused it again, re-send its new dead letter`,
        );
      }
      const answer = { id, redrivenTo: letter.originalTopic, consumer: letter.consumer, redrivenAt: recorded.redriven_at, redrivenBy: recorded.redriven_by };
      // Last: once the broker has it, only the commit remains.
      await brokerAnswer(`${letter.originalTopic} did not take the message`, this.queue.redrive([letter]));
      return answer;
    });
  }
}

/** The broker's refusal or absence is a 503 with its reason (ACLs, a topic gone), not an internal error. */
function brokerAnswer<T>(what: string, work: Promise<T>): Promise<T> {
  return work.catch((error: Error) => {
    throw new ServiceUnavailableException(`${what}: ${error.message}`);
  });
}
