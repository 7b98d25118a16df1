/**
 * The ACS side of Annex K: an XMPP account that sends `connectionRequest` IQs to CPE
 * JIDs and reads the answer as GenieACS does (`result`; an error whose first condition
 * is `not-authorized` or `service-unavailable`).
 * @module
 */
import type { XmppClient, XmlElement } from '@xmpp/client';
import { CpeSimError } from '../errors/index.js';
import { XMPP_CONN_REQ_NS } from './conn-req.js';
import { loadXmpp } from './load.js';

/** The ACS's XMPP account. */
export interface XmppAccount {
  /** `xmpp://host:port`. */
  service: string;
  domain: string;
  username: string;
  password: string;
  /** Default `acs`. */
  resource?: string;
}

/** Result of {@link XmppCrSender.send}. */
export interface XmppCrResult {
  /** `result`, or the error condition the CPE (or its server) answered with. */
  outcome: 'result' | 'not-authorized' | 'service-unavailable' | (string & {});
  /** The answer stanza, as XML text. */
  stanza: string;
}

/** Sends XMPP Connection Requests from one account. */
export class XmppCrSender {
  private entity: XmppClient | undefined;
  private starting: Promise<XmppClient> | undefined;
  private closed = false;

  constructor(private readonly account: XmppAccount) {}

  /** The sender's own full JID once connected. */
  get jid(): string | undefined {
    return this.entity?.jid?.toString();
  }

  private connect(): Promise<XmppClient> {
    this.starting ??= (async () => {
      const { client } = await loadXmpp();
      const a = this.account;
      const entity = client({ service: a.service, domain: a.domain, username: a.username, password: a.password, resource: a.resource ?? 'acs' });
      entity.on('error', () => undefined);
      try {
        await entity.start();
      } catch (err) {
        this.starting = undefined;
        await entity.stop().catch(() => undefined);
        throw new CpeSimError('CPESIM_XMPP_CONNECT', `fake ACS cannot log in to XMPP server ${a.service} as ${a.username}@${a.domain}: ${(err as Error).message}`, { cause: err });
      }
      this.entity = entity;
      return entity;
    })();
    return this.starting;
  }

  /**
   * Sends `<iq type="get"><connectionRequest xmlns="urn:broadband-forum-org:cwmp:xmppConnReq-1-0"><username/><password/></connectionRequest></iq>` to `jid`.
   * @example
   * const r = await sender.send('cpe-1@localhost/cwmp', { username: 'cr-cpe-1', password: 'secret' });
   * r.outcome; // 'result'
   */
  async send(jid: string, creds: { username?: string; password?: string }, timeoutMs = 5000): Promise<XmppCrResult> {
    if (this.closed) throw new CpeSimError('CPESIM_XMPP_CLOSED', 'the XMPP Connection Request sender was closed');
    const entity = await this.connect();
    const { xml } = await loadXmpp();
    const iq = xml(
      'iq',
      { type: 'get', to: jid },
      xml('connectionRequest', { xmlns: XMPP_CONN_REQ_NS }, xml('username', null, creds.username ?? ''), xml('password', null, creds.password ?? '')),
    );
    try {
      const res = await entity.iqCaller.request(iq, timeoutMs);
      return { outcome: 'result', stanza: res.toString() };
    } catch (err) {
      const e = err as { name?: string; condition?: string; element?: XmlElement; message?: string };
      if (e.name === 'StanzaError' && e.condition) return { outcome: e.condition, stanza: e.element?.toString() ?? '' };
      throw new CpeSimError('CPESIM_CR_FAILED', `XMPP Connection Request to ${jid} failed: ${e.message ?? String(err)}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const e = await this.starting?.catch(() => undefined);
    await e?.stop().catch(() => undefined);
  }
}
