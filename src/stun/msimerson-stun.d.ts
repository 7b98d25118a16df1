/**
 * The part of `@msimerson/stun` (a maintained fork of the `stun` package, CommonJS,
 * shipped without types) that cpe-sim uses. Internal: no public type refers to it.
 */
declare module '@msimerson/stun' {
  namespace stun {
    interface StunAttribute {
      readonly type: number;
      readonly value: unknown;
    }
    interface StunMessage extends Iterable<StunAttribute> {
      readonly type: number;
      readonly transactionId: Buffer;
      getAttribute(type: number): StunAttribute | undefined;
    }
    interface StunRequest extends StunMessage {
      /** The attribute list (used to add the TR-111 attributes the library does not know). */
      _attributes: unknown[];
      addUsername(username: string): unknown;
      addXorAddress(address: string, port: number): unknown;
      addAddress(address: string, port: number): unknown;
      addError(code: number, reason: string): unknown;
      addSoftware(software: string): unknown;
      addMessageIntegrity(key: string): boolean;
      toBuffer(): Buffer;
    }
    interface StunResponse extends StunMessage {
      getAddress(): { address: string; port: number } | undefined;
      getXorAddress(): { address: string; port: number } | undefined;
      getError(): { code: number; reason: string } | undefined;
    }
  }
  const stun: {
    createMessage(type: number, transaction?: Buffer): stun.StunRequest;
    decode(message: Buffer): stun.StunResponse;
    constants: Record<string, number>;
  };
  export = stun;
}

declare module '@msimerson/stun/src/attributes/stun-bytestring-attribute.js' {
  const StunByteStringAttribute: new (type: number, value: Buffer) => { setOwner(owner: unknown): void };
  export = StunByteStringAttribute;
}
