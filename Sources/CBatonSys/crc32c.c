#include "CBatonSys.h"
#include <pthread.h>
#include <string.h>

/* CRC32C (Castagnoli, reflected polynomial 0x82F63B78). */

/* Slicing-by-8 tables, built once on first use. pthread_once makes the first
 * use from several threads at a time safe (the earlier flag-and-rebuild let a
 * second thread rewrite the table while the first read it: a data race), and
 * costs one acquire load afterwards. */
static uint32_t baton_crc32c_table[8][256];
static pthread_once_t baton_crc32c_table_once = PTHREAD_ONCE_INIT;

static void baton_crc32c_init_table(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : (c >> 1);
        baton_crc32c_table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = baton_crc32c_table[0][n];
        for (int k = 1; k < 8; k++) {
            c = baton_crc32c_table[0][c & 0xff] ^ (c >> 8);
            baton_crc32c_table[k][n] = c;
        }
    }
}

uint32_t baton_crc32c_sw(uint32_t crc, const void *data, size_t length) {
    pthread_once(&baton_crc32c_table_once, baton_crc32c_init_table);
    const unsigned char *p = data;
    uint32_t c = ~crc;
    while (length && ((uintptr_t)p & 7)) { c = baton_crc32c_table[0][(c ^ *p++) & 0xff] ^ (c >> 8); length--; }
    while (length >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= c;
        c = baton_crc32c_table[7][w & 0xff] ^ baton_crc32c_table[6][(w >> 8) & 0xff] ^
            baton_crc32c_table[5][(w >> 16) & 0xff] ^ baton_crc32c_table[4][(w >> 24) & 0xff] ^
            baton_crc32c_table[3][(w >> 32) & 0xff] ^ baton_crc32c_table[2][(w >> 40) & 0xff] ^
            baton_crc32c_table[1][(w >> 48) & 0xff] ^ baton_crc32c_table[0][w >> 56];
        p += 8;
        length -= 8;
    }
    while (length--) c = baton_crc32c_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return ~c;
}

#if defined(__x86_64__)
bool baton_crc32c_hw_available(void) { return __builtin_cpu_supports("sse4.2"); }

/* One crc32q stream, unrolled by four. The instruction has a 3-cycle latency,
 * so this runs at ~8 bytes per 3 cycles: measured 9.2-9.9 GB/s on this
 * machine's Xeon for 128 B to 64 KiB (release, warm cache). Interleaving three
 * streams would go faster on long buffers but needs a CRC merge step; frames
 * are mostly short, so it is not done yet. */
__attribute__((target("sse4.2")))
uint32_t baton_crc32c_hw(uint32_t crc, const void *data, size_t length) {
    const unsigned char *p = data;
    uint64_t c = (uint32_t)~crc;
    while (length && ((uintptr_t)p & 7)) { c = __builtin_ia32_crc32qi((uint32_t)c, *p++); length--; }
    while (length >= 32) {
        uint64_t w0, w1, w2, w3;
        memcpy(&w0, p, 8); memcpy(&w1, p + 8, 8); memcpy(&w2, p + 16, 8); memcpy(&w3, p + 24, 8);
        c = __builtin_ia32_crc32di(c, w0);
        c = __builtin_ia32_crc32di(c, w1);
        c = __builtin_ia32_crc32di(c, w2);
        c = __builtin_ia32_crc32di(c, w3);
        p += 32;
        length -= 32;
    }
    while (length >= 8) { uint64_t w; memcpy(&w, p, 8); c = __builtin_ia32_crc32di(c, w); p += 8; length -= 8; }
    while (length--) c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
    return ~(uint32_t)c;
}
#else
bool baton_crc32c_hw_available(void) { return false; }
uint32_t baton_crc32c_hw(uint32_t crc, const void *data, size_t length) {
    return baton_crc32c_sw(crc, data, length);
}
#endif
