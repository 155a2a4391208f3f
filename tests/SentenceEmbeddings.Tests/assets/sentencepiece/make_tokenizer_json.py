#!/usr/bin/env python3
"""Writes tokenizer.json files for a SentencePiece Unigram model the way transformers' XLMRobertaConverter does.

Only the Python standard library is used (no sentencepiece, protobuf, tokenizers or transformers): the .model file is
a ModelProto (sentencepiece_model.proto) read here with a minimal protobuf wire-format reader.

Usage (from the repository root):
    python3 tests/SentenceEmbeddings.Tests/assets/sentencepiece/make_tokenizer_json.py

It writes, beside unigram-4k.model:
  unigram-4k.tokenizer-2021.json     transformers 4.7 (2021, the multilingual tier's files): normalizer
                                     Sequence[Precompiled, Replace(" {2,}" -> " ")], Metaspace add_prefix_space=true
  unigram-4k.tokenizer-current.json  transformers 4.4x: Sequence[Precompiled, Strip(right), Replace(" {2,}" -> "\u2581")],
                                     Metaspace prepend_scheme="always", split=true
Both styles share XLMRobertaConverter's vocabulary (<s> <pad> </s> <unk>, the model's pieces from the 4th on with their
scores, <mask>), unk_id 3, byte_fallback false, the template "<s> $A </s>" and the five special added tokens.
"""
import base64
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def read_varint(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def fields(data):
    """Yields (field number, wire type, value) for one protobuf message; value is int, bytes or a 4-byte float."""
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = struct.unpack('<f', data[pos:pos + 4])[0], pos + 4
        else:
            raise ValueError(f'unsupported wire type {wire}')
        yield number, wire, value


def read_model(path):
    with open(path, 'rb') as f:
        data = f.read()
    pieces, charsmap, trainer = [], b'', {}
    for number, _, value in fields(data):
        if number == 1:  # SentencePiece { piece = 1; score = 2; type = 3 }
            piece, score, kind = '', 0.0, 1
            for n, _, v in fields(value):
                if n == 1:
                    piece = v.decode('utf-8')
                elif n == 2:
                    score = v
                elif n == 3:
                    kind = v
            pieces.append((piece, score, kind))
        elif number == 2:  # TrainerSpec: model_type = 3, byte_fallback = 35, unk_id = 40
            for n, _, v in fields(value):
                trainer[n] = v
        elif number == 3:  # NormalizerSpec { name = 1; precompiled_charsmap = 2; ... }
            for n, _, v in fields(value):
                if n == 2:
                    charsmap = v
    if trainer.get(3, 1) != 1:
        raise ValueError('not a Unigram model')
    return pieces, charsmap


def added_token(id_, content, lstrip=False):
    return {'id': id_, 'content': content, 'single_word': False, 'lstrip': lstrip, 'rstrip': False,
            'normalized': False, 'special': True}


def convert(pieces, charsmap, style):
    # XLMRobertaConverter.vocab: fairseq's four specials, then the pieces after SentencePiece's <unk> <s> </s>, then <mask>.
    vocab = [['<s>', 0.0], ['<pad>', 0.0], ['</s>', 0.0], ['<unk>', 0.0]]
    vocab += [[piece, float(score)] for piece, score, _ in pieces[3:]]
    vocab.append(['<mask>', 0.0])
    mask_id = len(vocab) - 1
    precompiled = {'type': 'Precompiled', 'precompiled_charsmap': base64.b64encode(charsmap).decode('ascii')}
    if style == '2021':
        normalizer = {'type': 'Sequence', 'normalizers': [
            precompiled,
            {'type': 'Replace', 'pattern': {'Regex': ' {2,}'}, 'content': ' '}]}
        pre_tokenizer = {'type': 'Metaspace', 'replacement': '\u2581', 'add_prefix_space': True}
        decoder = {'type': 'Metaspace', 'replacement': '\u2581', 'add_prefix_space': True}
        model = {'type': 'Unigram', 'unk_id': 3, 'vocab': vocab}
    else:
        normalizer = {'type': 'Sequence', 'normalizers': [
            precompiled,
            {'type': 'Strip', 'strip_left': False, 'strip_right': True},
            {'type': 'Replace', 'pattern': {'Regex': ' {2,}'}, 'content': '\u2581'}]}
        pre_tokenizer = {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always', 'split': True}
        decoder = {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always', 'split': True}
        model = {'type': 'Unigram', 'unk_id': 3, 'vocab': vocab, 'byte_fallback': False}
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [added_token(0, '<s>'), added_token(1, '<pad>'), added_token(2, '</s>'), added_token(3, '<unk>'),
                         added_token(mask_id, '<mask>', lstrip=True)],
        'normalizer': normalizer,
        'pre_tokenizer': pre_tokenizer,
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': '<s>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                       {'SpecialToken': {'id': '</s>', 'type_id': 0}}],
            'pair': [{'SpecialToken': {'id': '<s>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                     {'SpecialToken': {'id': '</s>', 'type_id': 0}}, {'SpecialToken': {'id': '</s>', 'type_id': 0}},
                     {'Sequence': {'id': 'B', 'type_id': 0}}, {'SpecialToken': {'id': '</s>', 'type_id': 0}}],
            'special_tokens': {'<s>': {'id': '<s>', 'ids': [0], 'tokens': ['<s>']},
                               '</s>': {'id': '</s>', 'ids': [2], 'tokens': ['</s>']}}},
        'decoder': decoder,
        'model': model,
    }


def main():
    model_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, 'unigram-4k.model')
    pieces, charsmap = read_model(model_path)
    stem = os.path.splitext(model_path)[0]
    for style in ('2021', 'current'):
        with open(f'{stem}.tokenizer-{style}.json', 'w', encoding='utf-8', newline='\n') as f:
            json.dump(convert(pieces, charsmap, style), f, ensure_ascii=False, indent=2)
            f.write('\n')


if __name__ == '__main__':
    main()
