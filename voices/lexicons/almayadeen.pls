<?xml version="1.0" encoding="UTF-8"?>
<!-- Pronunciations for Al Mayadeen articles, in W3C PLS 1.0.
     The same names as almayadeen.toml; phonemes are espeak-ng notation,
     with IPA beside them for Piper. -->
<lexicon version="1.0"
         xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="x-espeak" xml:lang="en">
  <lexeme>
    <grapheme>Al Mayadeen</grapheme>
    <grapheme>Al-Mayadeen</grapheme>
    <phoneme>'al maI'A:d'i:n</phoneme>
    <phoneme alphabet="ipa">ˈæl maɪˈɑːdˈiːn</phoneme>
    <alias>al my-ah-deen</alias>
  </lexeme>
  <lexeme>
    <grapheme>Hezbollah</grapheme>
    <phoneme>h,Ezb@l'A:</phoneme>
    <phoneme alphabet="ipa">hˌɛzbəlˈɑː</phoneme>
    <alias>hez buh lah</alias>
  </lexeme>
  <lexeme>
    <grapheme>Sheinbaum</grapheme>
    <phoneme>S'eInbaUm</phoneme>
    <phoneme alphabet="ipa">ʃˈeɪnbaʊm</phoneme>
    <alias>Shane baum</alias>
  </lexeme>
  <lexeme>
    <grapheme>Ratcliffe</grapheme>
    <phoneme>r'atklIf</phoneme>
    <phoneme alphabet="ipa">ɹˈætklɪf</phoneme>
    <alias>Rat cliff</alias>
  </lexeme>
  <lexeme>
    <grapheme>Hamas</grapheme>
    <alias>ha mass</alias>
  </lexeme>
  <lexeme>
    <grapheme>NATO</grapheme>
    <alias>Nato</alias>
  </lexeme>
  <lexeme>
    <grapheme>UNESCO</grapheme>
    <alias>Unesco</alias>
  </lexeme>
  <lexeme>
    <grapheme>UNICEF</grapheme>
    <alias>Unicef</alias>
  </lexeme>
  <lexeme>
    <grapheme>OPEC</grapheme>
    <alias>Opec</alias>
  </lexeme>
</lexicon>
