#!/usr/bin/python3
"""A software PIV card (NIST SP 800-73-4) for the virtual smart-card reader of Debian's
vsmartcard (`vsmartcard-vpcd`, a pcscd driver) — Trustpoint's stand-in for a hardware token in
tests, since the test machines have no USB at all.

It is a card type for `python3-virtualsmartcard`: the package's `VirtualICC` keeps the socket
to vpcd, and `PivOS` below answers the APDUs. No packaged card type implements PIV (vicc offers
iso7816, cryptoflex, ePass, nPA and relay), so this one is ours. What it implements:

  SELECT (PIV AID, also truncated), GET DATA / PUT DATA (discovery object 7E, CHUID, CCC,
  certificate objects 5FC105/5FC10A/5FC10B/5FC101 and any other 5FC1xx object), VERIFY (PIV PIN
  80, retry counter, 63Cx, 6983 when blocked, P1=FF to log out), CHANGE REFERENCE DATA (PIN 80,
  PUK 81), RESET RETRY COUNTER, GENERATE ASYMMETRIC KEY PAIR (RSA 1024/2048, P-256, P-384 in
  9a/9c/9d/9e), GENERAL AUTHENTICATE (management key 9B: mutual and external authentication with
  3DES or AES-128/192/256; signing/decryption with the slot keys: raw RSA, ECDSA over the hash
  the host sends; 9c needs a VERIFY right before every use, "PIN always"), GET RESPONSE, command
  chaining (CLA 0x10), short and extended APDUs, response chaining (61xx).
  YubiKey extensions answered because yubico-piv-tool uses them: GET VERSION (FD), GET SERIAL
  (F8), RESET (FB, only when PIN and PUK are blocked). GET METADATA (F7) is answered 6D00 (not
  supported), as an older YubiKey would.

Defaults as on a new YubiKey: PIN 123456, PUK 12345678 (3 tries each), management key
010203040506070801020304050607080102030405060708 (3DES). The state (keys, objects, PIN
counters) is kept in a JSON file so that "removing" the card (stopping this process) and
"inserting" it again (starting it) keeps the keys — as a real token would.

Debian 12 packaging quirks handled here: the `virtualsmartcard` module sits in
/usr/lib/python3/site-packages/virtualsmartcard (not on Python's path), and it imports
`Crypto` (PyCrypto) while Debian ships `Cryptodome` (python3-pycryptodome). Run it with
Debian's /usr/bin/python3.

usage: pivcard.py --port N --state FILE [--applet piv|none] [--host 127.0.0.1]
"""
import argparse
import importlib
import json
import logging
import os
import secrets
import sys
import time

sys.path.insert(0, '/usr/lib/python3/site-packages/virtualsmartcard')
try:
    import Crypto  # noqa: F401  (PyCrypto or a pycryptodome that installs as Crypto)
except ImportError:
    import Cryptodome
    sys.modules['Crypto'] = Cryptodome
    for _m in ('Cipher', 'Hash', 'PublicKey', 'Util', 'Random', 'Signature', 'Protocol'):
        sys.modules['Crypto.' + _m] = importlib.import_module('Cryptodome.' + _m)

from virtualsmartcard.VirtualSmartcard import SmartcardOS, VirtualICC  # noqa: E402

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed  # noqa: E402
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402

log = logging.getLogger('pivcard')

PIV_AID = bytes.fromhex('A000000308000010000100')

SW_OK = 0x9000
SW_WRONG_LENGTH = 0x6700
SW_SECURITY = 0x6982
SW_BLOCKED = 0x6983
SW_CONDITIONS = 0x6985
SW_WRONG_DATA = 0x6A80
SW_FUNC_NOT_SUPPORTED = 0x6A81
SW_NOT_FOUND = 0x6A82
SW_NO_SPACE = 0x6A84
SW_WRONG_P1P2 = 0x6A86
SW_REF_NOT_FOUND = 0x6A88
SW_INS = 0x6D00
SW_CLA = 0x6E00

INS_SELECT = 0xA4
INS_GET_DATA = 0xCB
INS_PUT_DATA = 0xDB
INS_VERIFY = 0x20
INS_CHANGE_REFERENCE = 0x24
INS_RESET_RETRY = 0x2C
INS_AUTHENTICATE = 0x87
INS_GENERATE = 0x47
INS_GET_RESPONSE = 0xC0
INS_GET_VERSION = 0xFD
INS_GET_SERIAL = 0xF8
INS_GET_METADATA = 0xF7
INS_RESET = 0xFB

ALG_3DES = 0x03
ALG_RSA1024 = 0x06
ALG_RSA2048 = 0x07
ALG_AES128 = 0x08
ALG_AES192 = 0x0A
ALG_AES256 = 0x0C
ALG_ECCP256 = 0x11
ALG_ECCP384 = 0x14

MGM_KEY_LEN = {ALG_3DES: 24, ALG_AES128: 16, ALG_AES192: 24, ALG_AES256: 32}
KEY_SLOTS = (0x9A, 0x9C, 0x9D, 0x9E)
SLOT_MGM = 0x9B
PIN_ALWAYS = (0x9C,)
PIN_NEVER = (0x9E,)

DEFAULT_PIN = b'123456'
DEFAULT_PUK = b'12345678'
DEFAULT_MGM = bytes.fromhex('010203040506070801020304050607080102030405060708')
VERSION = bytes([5, 4, 3])
MAX_OBJECT = 3072

# the discovery object (SP 800-73-4 §3.3.2): PIV AID, PIN usage policy "PIV PIN only"
DISCOVERY = bytes.fromhex('7E124F0BA0000003080000100001005F2F024000')


# ------------------------------------------------------------------------------ BER-TLV

def tlv(tag, value):
    """One BER-TLV (tags of one to three bytes given as an int)."""
    t = tag.to_bytes((tag.bit_length() + 7) // 8 or 1, 'big')
    n = len(value)
    if n < 0x80:
        ln = bytes([n])
    elif n < 0x100:
        ln = bytes([0x81, n])
    else:
        ln = bytes([0x82, n >> 8, n & 0xFF])
    return t + ln + value


def parse_tlvs(data):
    """A list of (tag, value) from concatenated BER-TLVs; ValueError on a damaged encoding."""
    out = []
    i = 0
    while i < len(data):
        tag = data[i]
        i += 1
        if tag & 0x1F == 0x1F:
            while True:
                if i >= len(data):
                    raise ValueError('truncated tag')
                tag = (tag << 8) | data[i]
                i += 1
                if not data[i - 1] & 0x80:
                    break
        if i >= len(data):
            raise ValueError('missing length')
        n = data[i]
        i += 1
        if n == 0x81:
            n = data[i]
            i += 1
        elif n == 0x82:
            n = (data[i] << 8) | data[i + 1]
            i += 2
        elif n > 0x82:
            raise ValueError('length form not supported')
        if i + n > len(data):
            raise ValueError('value runs past the end')
        out.append((tag, data[i:i + n]))
        i += n
    return out


# ------------------------------------------------------------------------------ state

def pad_pin(pin):
    return pin + b'\xff' * (8 - len(pin))


def new_state():
    guid = secrets.token_bytes(16)
    fascn = bytes.fromhex('D4E739DA739CED39CE739D836858210842108421C84210C3EB')
    chuid = tlv(0x30, fascn) + tlv(0x34, guid) + tlv(0x35, b'20401231') + tlv(0x3E, b'') + tlv(0xFE, b'')
    ccc = (tlv(0xF0, bytes.fromhex('A000000116FF02') + secrets.token_bytes(14)) + tlv(0xF1, b'\x21') + tlv(0xF2, b'\x21')
           + tlv(0xF3, b'') + tlv(0xF4, b'\x00') + tlv(0xF5, b'\x10') + tlv(0xF6, b'') + tlv(0xF7, b'') + tlv(0xFA, b'')
           + tlv(0xFB, b'') + tlv(0xFC, b'') + tlv(0xFD, b'') + tlv(0xFE, b''))
    return {
        'pin': pad_pin(DEFAULT_PIN).hex(),
        'puk': pad_pin(DEFAULT_PUK).hex(),
        'pin_max': 3,
        'puk_max': 3,
        'pin_left': 3,
        'puk_left': 3,
        'mgm_alg': ALG_3DES,
        'mgm_key': DEFAULT_MGM.hex(),
        'serial': int.from_bytes(secrets.token_bytes(3), 'big') + 10_000_000,
        'keys': {},
        'objects': {
            '5fc102': tlv(0x53, chuid).hex(),
            '5fc107': tlv(0x53, ccc).hex(),
        },
    }


class PivOS(SmartcardOS):
    """The PIV card application: APDU in, APDU out (bytes)."""

    def __init__(self, state_file, applet='piv', mgm_alg=None):
        self.state_file = state_file
        self.applet = applet
        if os.path.exists(state_file):
            with open(state_file) as f:
                self.state = json.load(f)
        else:
            self.state = new_state()
            if mgm_alg is not None:
                self.state['mgm_alg'] = mgm_alg
                self.state['mgm_key'] = DEFAULT_MGM[:MGM_KEY_LEN[mgm_alg]].hex()
            self.save()
        self.reset_session()

    # -------------------------------------------------------------- session state

    def reset_session(self):
        self.selected = False
        self.pin_verified = False
        self.pin_fresh = False  # a VERIFY since the last "PIN always" use
        self.mgm_authed = False
        self.mgm_witness = None
        self.mgm_challenge = None
        self.pending = b''
        self.chain = None  # (ins, p1, p2, data so far)

    def save(self):
        tmp = self.state_file + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(self.state, f, indent=1)
        os.replace(tmp, self.state_file)

    # -------------------------------------------------------------- SmartcardOS

    def getATR(self):
        # TS=3B, T0: TD1 present + 12 historical bytes; TD1: T=1; historical bytes; TCK
        hist = b'TrustpointPV'
        body = bytes([0x80 | len(hist), 0x01]) + hist
        tck = 0
        for b in body:
            tck ^= b
        return bytes([0x3B]) + body + bytes([tck])

    def powerUp(self):
        self.reset_session()

    def powerDown(self):
        self.reset_session()

    def reset(self):
        self.reset_session()

    def execute(self, msg):
        try:
            data, sw = self.dispatch(msg)
        except ValueError as e:
            log.info('bad command: %s', e)
            data, sw = b'', SW_WRONG_DATA
        except Exception:  # a bug here must not take the reader down
            log.exception('card error')
            data, sw = b'', 0x6F00
        out = data + sw.to_bytes(2, 'big')
        return out

    # -------------------------------------------------------------- APDU parsing

    @staticmethod
    def parse(msg):
        if len(msg) < 4:
            raise ValueError('short APDU')
        cla, ins, p1, p2 = msg[0], msg[1], msg[2], msg[3]
        body = msg[4:]
        data, le, ext = b'', None, False
        if len(body) == 0:
            pass
        elif len(body) == 1:
            le = body[0] or 256
        elif body[0] == 0 and len(body) == 3:
            ext = True
            le = ((body[1] << 8) | body[2]) or 65536
        elif body[0] != 0:
            lc = body[0]
            data = body[1:1 + lc]
            rest = body[1 + lc:]
            if len(data) != lc or len(rest) > 1:
                raise ValueError('Lc does not match the data')
            if rest:
                le = rest[0] or 256
        else:
            ext = True
            if len(body) < 3:
                raise ValueError('bad extended length')
            lc = (body[1] << 8) | body[2]
            data = body[3:3 + lc]
            rest = body[3 + lc:]
            if len(data) != lc or len(rest) not in (0, 2):
                raise ValueError('extended Lc does not match the data')
            if rest:
                le = ((rest[0] << 8) | rest[1]) or 65536
        return cla, ins, p1, p2, data, le, ext

    def reply(self, data, le, ext):
        """Data with 9000, or its first part with 61xx (the rest by GET RESPONSE)."""
        room = le if le is not None else (65536 if ext else 256)
        if len(data) <= room:
            return data, SW_OK
        self.pending = data[room:]
        return data[:room], 0x6100 | (len(self.pending) if len(self.pending) < 256 else 0)

    def dispatch(self, msg):
        cla, ins, p1, p2, data, le, ext = self.parse(msg)
        if ins in (INS_VERIFY, INS_CHANGE_REFERENCE, INS_RESET_RETRY):
            log.info('> %02X %02X %02X %02X [%d bytes of PIN data withheld from the log]', cla, ins, p1, p2, len(data))
        else:
            log.info('> %s', msg.hex())
        if cla & ~0x10 & 0xFF not in (0x00,):
            return b'', SW_CLA
        if ins == INS_GET_RESPONSE:
            if not self.pending:
                return b'', SW_CONDITIONS
            chunk, self.pending = self.pending, b''
            return self.reply(chunk, le, ext)
        self.pending = b''
        # command chaining (ISO 7816-4 §5.1.1.1)
        if cla & 0x10:
            if self.chain and self.chain[:3] != (ins, p1, p2):
                self.chain = None
                return b'', SW_CONDITIONS
            prev = self.chain[3] if self.chain else b''
            if len(prev) + len(data) > 8192:
                self.chain = None
                return b'', SW_WRONG_LENGTH
            self.chain = (ins, p1, p2, prev + data)
            return b'', SW_OK
        if self.chain:
            if self.chain[:3] != (ins, p1, p2):
                self.chain = None
                return b'', SW_CONDITIONS
            data = self.chain[3] + data
            self.chain = None

        if ins == INS_SELECT:
            return self.select(p1, p2, data, le, ext)
        if not self.selected:
            return b'', SW_INS
        handler = {
            INS_GET_DATA: self.get_data,
            INS_PUT_DATA: self.put_data,
            INS_VERIFY: self.verify,
            INS_CHANGE_REFERENCE: self.change_reference,
            INS_RESET_RETRY: self.reset_retry,
            INS_AUTHENTICATE: self.authenticate,
            INS_GENERATE: self.generate,
            INS_GET_VERSION: lambda p1, p2, d, le, ext: (VERSION, SW_OK),
            INS_GET_SERIAL: lambda p1, p2, d, le, ext: (self.state['serial'].to_bytes(4, 'big'), SW_OK),
            INS_RESET: self.factory_reset,
        }.get(ins)
        if handler is None:
            return b'', SW_INS
        return handler(p1, p2, data, le, ext)

    # -------------------------------------------------------------- commands

    def select(self, p1, p2, aid, le, ext):
        if p1 != 0x04:
            return b'', SW_NOT_FOUND
        if self.applet != 'piv' or len(aid) < 5 or not PIV_AID.startswith(aid):
            return b'', SW_NOT_FOUND
        if not self.selected:
            self.reset_session()
        self.selected = True
        algs = b''.join(tlv(0x80, bytes([a])) for a in (ALG_3DES, ALG_RSA2048, ALG_ECCP256, ALG_ECCP384)) + tlv(0x06, b'\x00')
        apt = tlv(0x4F, PIV_AID[5:]) + tlv(0x79, tlv(0x4F, PIV_AID[:5])) + tlv(0x50, b'Trustpoint software PIV') + tlv(0xAC, algs)
        return self.reply(tlv(0x61, apt), le, ext)

    @staticmethod
    def object_tag(data):
        tl = parse_tlvs(data)
        if not tl or tl[0][0] != 0x5C:
            raise ValueError('no tag list (5C)')
        return tl[0][1].hex(), tl[1:]

    def get_data(self, p1, p2, data, le, ext):
        if (p1, p2) != (0x3F, 0xFF):
            return b'', SW_WRONG_P1P2
        tag, _ = self.object_tag(data)
        if tag == '7e':
            return self.reply(DISCOVERY, le, ext)
        obj = self.state['objects'].get(tag)
        if obj is None:
            return b'', SW_NOT_FOUND
        return self.reply(bytes.fromhex(obj), le, ext)

    def put_data(self, p1, p2, data, le, ext):
        if (p1, p2) != (0x3F, 0xFF):
            return b'', SW_WRONG_P1P2
        if not self.mgm_authed:
            return b'', SW_SECURITY
        tag, rest = self.object_tag(data)
        if not tag.startswith('5fc1') or len(tag) != 6:
            return b'', SW_WRONG_DATA
        if len(rest) != 1 or rest[0][0] != 0x53:
            return b'', SW_WRONG_DATA
        value = rest[0][1]
        if len(value) > MAX_OBJECT:
            return b'', SW_NO_SPACE
        if value:
            self.state['objects'][tag] = tlv(0x53, value).hex()
        else:
            self.state['objects'].pop(tag, None)
        self.save()
        return b'', SW_OK

    def check_ref(self, which, value):
        """VERIFY-style check of the PIN or PUK; returns the status word."""
        left = which + '_left'
        if self.state[left] == 0:
            return SW_BLOCKED
        if secrets.compare_digest(bytes.fromhex(self.state[which]), value):
            self.state[left] = self.state[which + '_max']
            self.save()
            return SW_OK
        self.state[left] -= 1
        self.save()
        return SW_BLOCKED if self.state[left] == 0 else 0x63C0 | self.state[left]

    def verify(self, p1, p2, data, le, ext):
        if p2 != 0x80:
            return b'', SW_REF_NOT_FOUND
        if p1 == 0xFF:
            self.pin_verified = self.pin_fresh = False
            return b'', SW_OK
        if p1 != 0x00:
            return b'', SW_WRONG_P1P2
        if not data:
            if self.pin_verified:
                return b'', SW_OK
            return b'', SW_BLOCKED if self.state['pin_left'] == 0 else 0x63C0 | self.state['pin_left']
        if len(data) != 8:
            return b'', SW_WRONG_DATA
        sw = self.check_ref('pin', data)
        self.pin_verified = self.pin_fresh = sw == SW_OK
        return b'', sw

    def change_reference(self, p1, p2, data, le, ext):
        which = {0x80: 'pin', 0x81: 'puk'}.get(p2)
        if which is None or p1 != 0:
            return b'', SW_REF_NOT_FOUND
        if len(data) != 16:
            return b'', SW_WRONG_DATA
        sw = self.check_ref(which, data[:8])
        if sw == SW_OK:
            self.state[which] = data[8:].hex()
            self.save()
            if which == 'pin':
                self.pin_verified = self.pin_fresh = True
        elif which == 'pin':
            self.pin_verified = self.pin_fresh = False
        return b'', sw

    def reset_retry(self, p1, p2, data, le, ext):
        if (p1, p2) != (0x00, 0x80):
            return b'', SW_REF_NOT_FOUND
        if len(data) != 16:
            return b'', SW_WRONG_DATA
        sw = self.check_ref('puk', data[:8])
        if sw == SW_OK:
            self.state['pin'] = data[8:].hex()
            self.state['pin_left'] = self.state['pin_max']
            self.save()
        return b'', sw

    def factory_reset(self, p1, p2, data, le, ext):
        if self.state['pin_left'] or self.state['puk_left']:
            return b'', SW_CONDITIONS
        self.state = new_state()
        self.save()
        self.reset_session()
        self.selected = True
        return b'', SW_OK

    # -------------------------------------------------------------- management key

    def mgm_cipher(self, encrypt, block):
        key = bytes.fromhex(self.state['mgm_key'])
        alg = algorithms.TripleDES(key) if self.state['mgm_alg'] == ALG_3DES else algorithms.AES(key)
        c = Cipher(alg, modes.ECB())
        op = c.encryptor() if encrypt else c.decryptor()
        return op.update(block) + op.finalize()

    def mgm_block(self):
        return 8 if self.state['mgm_alg'] == ALG_3DES else 16

    def authenticate(self, alg, key, data, le, ext):
        tl = parse_tlvs(data)
        if len(tl) != 1 or tl[0][0] != 0x7C:
            return b'', SW_WRONG_DATA
        parts = dict(parse_tlvs(tl[0][1]))
        if key == SLOT_MGM:
            return self.authenticate_mgm(alg, parts, le, ext)
        if key not in KEY_SLOTS:
            return b'', SW_WRONG_P1P2
        k = self.state['keys'].get('%02x' % key)
        if k is None:
            return b'', SW_NOT_FOUND
        if alg != k['alg']:
            return b'', SW_WRONG_DATA
        if key not in PIN_NEVER:
            if not self.pin_verified or (key in PIN_ALWAYS and not self.pin_fresh):
                return b'', SW_SECURITY
        if 0x81 not in parts or parts.get(0x82) != b'':
            return b'', SW_WRONG_DATA
        challenge = parts[0x81]
        priv = serialization.load_der_private_key(bytes.fromhex(k['pkcs8']), None)
        if alg in (ALG_RSA1024, ALG_RSA2048):
            nums = priv.private_numbers()
            n = nums.public_numbers.n
            size = (n.bit_length() + 7) // 8
            if len(challenge) != size:
                return b'', SW_WRONG_DATA
            m = int.from_bytes(challenge, 'big')
            if m >= n:
                return b'', SW_WRONG_DATA
            out = pow(m, nums.d, n).to_bytes(size, 'big')
        else:
            size = 32 if alg == ALG_ECCP256 else 48
            if len(challenge) != size:
                return b'', SW_WRONG_DATA
            h = {20: hashes.SHA1(), 28: hashes.SHA224(), 32: hashes.SHA256(), 48: hashes.SHA384(), 64: hashes.SHA512()}[len(challenge)]
            out = priv.sign(challenge, ec.ECDSA(Prehashed(h)))
        if key in PIN_ALWAYS:
            self.pin_fresh = False
        return self.reply(tlv(0x7C, tlv(0x82, out)), le, ext)

    def authenticate_mgm(self, alg, parts, le, ext):
        if alg != self.state['mgm_alg']:
            return b'', SW_WRONG_P1P2
        bs = self.mgm_block()
        if parts.get(0x80) == b'' and len(parts) == 1:
            # mutual authentication, step 1: the card's witness, encrypted
            self.mgm_witness = secrets.token_bytes(bs)
            self.mgm_authed = False
            return self.reply(tlv(0x7C, tlv(0x80, self.mgm_cipher(True, self.mgm_witness))), le, ext)
        if 0x80 in parts and 0x81 in parts:
            # step 2: the host proves it decrypted the witness, and challenges the card
            witness, self.mgm_witness = self.mgm_witness, None
            if witness is None or len(parts[0x80]) != bs or len(parts[0x81]) != bs or not secrets.compare_digest(witness, parts[0x80]):
                self.mgm_authed = False
                return b'', SW_SECURITY
            self.mgm_authed = True
            return self.reply(tlv(0x7C, tlv(0x82, self.mgm_cipher(True, parts[0x81]))), le, ext)
        if parts.get(0x81) == b'' and len(parts) == 1:
            # external authentication, step 1: a challenge for the host to encrypt
            self.mgm_challenge = secrets.token_bytes(bs)
            self.mgm_authed = False
            return self.reply(tlv(0x7C, tlv(0x81, self.mgm_challenge)), le, ext)
        if 0x82 in parts and len(parts) == 1:
            challenge, self.mgm_challenge = self.mgm_challenge, None
            ok = challenge is not None and len(parts[0x82]) == bs and secrets.compare_digest(self.mgm_cipher(True, challenge), parts[0x82])
            self.mgm_authed = ok
            return b'', SW_OK if ok else SW_SECURITY
        return b'', SW_WRONG_DATA

    # -------------------------------------------------------------- key generation

    def generate(self, p1, slot, data, le, ext):
        if p1 != 0x00 or slot not in KEY_SLOTS:
            return b'', SW_WRONG_P1P2
        if not self.mgm_authed:
            return b'', SW_SECURITY
        tl = parse_tlvs(data)
        if len(tl) != 1 or tl[0][0] != 0xAC:
            return b'', SW_WRONG_DATA
        params = dict(parse_tlvs(tl[0][1]))
        alg = params.get(0x80, b'\x00')[0] if params.get(0x80) else None
        if alg in (ALG_RSA1024, ALG_RSA2048):
            priv = rsa.generate_private_key(65537, 1024 if alg == ALG_RSA1024 else 2048)
            pub = priv.public_key().public_numbers()
            nlen = (pub.n.bit_length() + 7) // 8
            out = tlv(0x81, pub.n.to_bytes(nlen, 'big')) + tlv(0x82, pub.e.to_bytes(3, 'big'))
        elif alg in (ALG_ECCP256, ALG_ECCP384):
            priv = ec.generate_private_key(ec.SECP256R1() if alg == ALG_ECCP256 else ec.SECP384R1())
            point = priv.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
            out = tlv(0x86, point)
        else:
            return b'', SW_WRONG_DATA
        pkcs8 = priv.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        self.state['keys']['%02x' % slot] = {'alg': alg, 'pkcs8': pkcs8.hex(), 'generated': int(time.time())}
        self.save()
        return self.reply(tlv(0x7F49, out), le, ext)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=35963)
    ap.add_argument('--state', required=True, help='JSON file with the card contents (made on first use)')
    ap.add_argument('--applet', choices=('piv', 'none'), default='piv', help='none: a card without a PIV application')
    ap.add_argument('--mgm-alg', choices=('3des', 'aes128', 'aes192', 'aes256'), default=None,
                    help='management key algorithm of a new card (default 3des)')
    ap.add_argument('--verbose', action='store_true', help='log the APDUs (PIN data is never logged)')
    a = ap.parse_args()
    logging.basicConfig(level=logging.INFO if a.verbose else logging.WARNING, format='%(asctime)s pivcard %(message)s')
    mgm = {None: None, '3des': ALG_3DES, 'aes128': ALG_AES128, 'aes192': ALG_AES192, 'aes256': ALG_AES256}[a.mgm_alg]
    card = PivOS(a.state, a.applet, mgm)
    # vpcd opens its port when pcscd loads the driver: retry until it listens.
    icc = None
    for _ in range(100):
        try:
            icc = VirtualICC(None, 'iso7816', a.host, a.port, logginglevel=logging.WARNING)
            break
        except SystemExit:
            time.sleep(0.1)
    if icc is None:
        sys.exit('pivcard: vpcd does not listen on %s:%d' % (a.host, a.port))
    icc.os = card
    # vpcd writes a message's length and its body separately; with Nagle on its side and delayed
    # ACKs on ours every APDU would wait ~40 ms. Acknowledge at once (TCP_QUICKACK is one-shot,
    # so it is set again before every read).
    import socket as _socket

    class _QuickAck:
        def __init__(self, sock):
            self._s = sock
            sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)

        def recv(self, n):
            try:
                self._s.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_QUICKACK, 1)
            except OSError:
                pass
            return self._s.recv(n)

        def __getattr__(self, name):
            return getattr(self._s, name)

    icc.sock = _QuickAck(icc.sock)
    print('pivcard: inserted (applet %s, state %s)' % (a.applet, a.state), flush=True)
    icc.run()


if __name__ == '__main__':
    main()
