/*
 * A small C device model for a Java guestmem guest, built against an installed libguestmem:
 *
 *   cc -shared -fPIC device.c $(pkg-config --cflags --libs guestmem) -o libcpeer.so
 *
 * Java loads it through FFM (see CPeerDriver.java) and hands it three addresses: the RCU domain's reader
 * table, the RamList's block-table root and its DirtyMemory's root. Each device thread joins the domain
 * and, like a DMA engine, writes 64-byte "descriptors" into a RAM window: inside a read section it
 * translates and copies them with gm_ram_write (translate, write, mark dirty), and every 16th write it
 * does the same by hand (gm_ram_translate, a store, gm_dirty_set_range) and checks gm_dirty_test. The
 * Java side can stop the device (cpeer_pause) for a migration's switch-over and let it go on.
 */
#include <guestmem.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))
#define MAX_THREADS 8

static struct {
    gm_ram_root *ram;
    gm_dirty_root *dirty;
    uint64_t rcu_table, base, len;
    uint32_t threads;
    pthread_t tid[MAX_THREADS];
    pthread_mutex_t lock;        /* guards everything below */
    pthread_cond_t changed;
    int paused, stop;
    uint32_t parked, gone;       /* threads parked by a pause / that could not join the domain */
    uint64_t writes, errors;
} dev = {.lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};

/* Returns 1 when the device must stop; parks while it is paused. */
static int check_in(gm_rcu_reader *r, uint64_t writes, uint64_t errors)
{
    pthread_mutex_lock(&dev.lock);
    dev.writes += writes;
    dev.errors += errors;
    if (dev.paused && !dev.stop) {
        gm_rcu_reader_offline(r);
        dev.parked++;
        pthread_cond_broadcast(&dev.changed);
        while (dev.paused && !dev.stop) {
            pthread_cond_wait(&dev.changed, &dev.lock);
        }
        dev.parked--;
        gm_rcu_reader_online(r);
    }
    int stop = dev.stop;
    pthread_mutex_unlock(&dev.lock);
    return stop;
}

static void *device_thread(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    gm_rcu_reader r;
    if (gm_rcu_reader_register(dev.rcu_table, &r) != 0) {
        pthread_mutex_lock(&dev.lock);
        dev.errors++;
        dev.gone++;
        pthread_cond_broadcast(&dev.changed);
        pthread_mutex_unlock(&dev.lock);
        return NULL;
    }
    uint64_t seq = 0;
    for (;;) {
        uint64_t writes = 0, errors = 0;
        for (int i = 0; i < 256; i++, seq++) {
            uint64_t desc[8];
            for (int k = 0; k < 8; k++) {
                desc[k] = (uint64_t)seed << 40 | seq << 3 | (uint64_t)k;
            }
            uint64_t addr = dev.base + (uint64_t)rand_r(&seed) % (dev.len / 64) * 64;
            gm_rcu_reader_lock(&r);
            if (seq % 16 != 0) {
                errors += gm_ram_write(dev.ram, dev.dirty, addr, desc, sizeof desc, GM_DIRTY_MASK_ALL) != 0;
            } else {
                uint64_t host;
                if (gm_ram_translate(dev.ram, addr, 8, &host) == 0) {
                    __atomic_store_n((uint64_t *)(uintptr_t)host, desc[0], __ATOMIC_RELAXED);
                    errors += gm_dirty_set_range(dev.dirty, addr, 8, GM_DIRTY_MASK_ALL) != 0;
                    errors += gm_dirty_test(dev.dirty, addr, 8, GM_DIRTY_VGA) != 1;   /* nobody clears VGA here */
                } else {
                    errors++;
                }
            }
            gm_rcu_reader_unlock(&r);
            writes++;
        }
        if (check_in(&r, writes, errors)) {
            break;
        }
    }
    gm_rcu_reader_unregister(&r);
    return NULL;
}

/* Starts threads writing [base, base + len) of RAM; 0 or a negative errno. */
EXPORT int32_t cpeer_start(uint64_t rcu_table, uint64_t ram_root, uint64_t dirty_root, uint64_t base, uint64_t len,
                           uint32_t threads)
{
    if (threads == 0 || threads > MAX_THREADS || len < 64 || dev.threads != 0) {
        return -22;
    }
    dev.ram = (gm_ram_root *)(uintptr_t)ram_root;
    dev.dirty = (gm_dirty_root *)(uintptr_t)dirty_root;
    dev.rcu_table = rcu_table;
    dev.base = base;
    dev.len = len;
    dev.threads = threads;
    for (uint32_t i = 0; i < threads; i++) {
        pthread_create(&dev.tid[i], NULL, device_thread, (void *)(uintptr_t)(i + 1));
    }
    return 0;
}

/* Stops the device for a switch-over: returns once every thread is parked outside its read section. */
EXPORT void cpeer_pause(void)
{
    pthread_mutex_lock(&dev.lock);
    dev.paused = 1;
    while (dev.parked + dev.gone < dev.threads && !dev.stop) {
        pthread_cond_wait(&dev.changed, &dev.lock);
    }
    pthread_mutex_unlock(&dev.lock);
}

EXPORT void cpeer_resume(void)
{
    pthread_mutex_lock(&dev.lock);
    dev.paused = 0;
    pthread_cond_broadcast(&dev.changed);
    pthread_mutex_unlock(&dev.lock);
}

/* Writes done so far (64-byte descriptors and single stores), counted every 256 writes. */
EXPORT uint64_t cpeer_writes(void)
{
    pthread_mutex_lock(&dev.lock);
    uint64_t n = dev.writes;
    pthread_mutex_unlock(&dev.lock);
    return n;
}

/* Stops and joins the threads; returns the number of failed calls (0 when all went well). */
EXPORT uint64_t cpeer_stop(void)
{
    pthread_mutex_lock(&dev.lock);
    dev.stop = 1;
    pthread_cond_broadcast(&dev.changed);
    pthread_mutex_unlock(&dev.lock);
    for (uint32_t i = 0; i < dev.threads; i++) {
        pthread_join(dev.tid[i], NULL);
    }
    dev.threads = dev.gone = 0;
    return dev.errors;
}
