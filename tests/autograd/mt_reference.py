"""A plain-Python reference of PyTorch's CPU generator, written from the MT19937 paper
(Matsumoto & Nishimura, 1998) and PyTorch's documented sampling rules, for tests that check
autograd's generator without PyTorch installed.

`MT19937(seed).word()` is genrand_int32 after init_genrand(seed & 0xffffffff); `word64()` is
two words, high first; `randperm` is PyTorch's forward Fisher-Yates.
"""
_N, _M = 624, 397


class MT19937:
    def __init__(self, seed):
        mt = [seed & 0xFFFFFFFF]
        for i in range(1, _N):
            mt.append((1812433253 * (mt[-1] ^ (mt[-1] >> 30)) + i) & 0xFFFFFFFF)
        self.mt, self.index = mt, _N

    def _twist(self):
        mt = self.mt
        for i in range(_N):
            y = (mt[i] & 0x80000000) | (mt[(i + 1) % _N] & 0x7FFFFFFF)
            mt[i] = mt[(i + _M) % _N] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
        self.index = 0

    def word(self):
        if self.index >= _N:
            self._twist()
        y = self.mt[self.index]
        self.index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        return y ^ (y >> 18)

    def word64(self):
        high = self.word()
        return (high << 32) | self.word()

    def float24(self):
        """A float32 uniform: the low 24 bits of a word over 2**24."""
        return (self.word() & 0xFFFFFF) / 2 ** 24

    def double53(self):
        """A float64 uniform: the low 53 bits of a 64-bit draw over 2**53."""
        return (self.word64() & (2 ** 53 - 1)) / 2 ** 53

    def randperm(self, n):
        perm = list(range(n))
        for i in range(n - 1):
            j = i + self.word() % (n - i)
            perm[i], perm[j] = perm[j], perm[i]
        return perm
