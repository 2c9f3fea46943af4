"""Wrong answers for lessons/03_datasets_and_dataloaders.ipynb."""

from tests.wrong_answers import RightAnswer, WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer("class_counts", '''
def class_counts(dataset, num_classes):
    labels = torch.tensor([int(label) for _, label in dataset])
    return torch.bincount(labels)
''', "`class_counts(tiny, 4)` has shape (3,), expected (4,). One entry per class, including classes that never occur"),
    WrongAnswer("class_counts", '''
def class_counts(dataset, num_classes):
    counts = torch.zeros(num_classes)
    for _, label in dataset:
        counts[int(label)] += 1
    return counts
''', "has dtype torch.float32, expected torch.int64"),
    WrongAnswer("class_counts", '''
def class_counts(dataset, num_classes):
    counts = [0] * num_classes
    for _, label in dataset:
        counts[int(label)] += 1
    return counts
''', "`class_counts(tiny, 4)` is a list, expected a Tensor"),
    WrongAnswer("csv_image_dataset", '''
class CSVImageDataset(Dataset):
    def __init__(self, annotations_file, img_dir, transform=None, target_transform=None, has_header=True):
        with open(annotations_file, newline="") as stream:
            self.samples = [(name.strip(), int(label)) for name, label in csv.reader(stream)]
        self.img_dir, self.transform, self.target_transform = Path(img_dir), transform, target_transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, idx):
        name, label = self.samples[idx]
        image = pil_to_tensor(Image.open(self.img_dir / name))
        return (self.transform(image) if self.transform else image,
                self.target_transform(label) if self.target_transform else label)
''', "raised ValueError: invalid literal for int() with base 10: 'label'. If that is the header line"),
    WrongAnswer("csv_image_dataset", '''
class CSVImageDataset(Dataset):
    def __init__(self, annotations_file, img_dir, transform=None, target_transform=None, has_header=True):
        with open(annotations_file, newline="") as stream:
            reader = csv.reader(stream)
            next(reader)
            self.samples = [(name.strip(), int(label)) for name, label in reader]
        self.img_dir, self.transform, self.target_transform = Path(img_dir), transform, target_transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, idx):
        name, label = self.samples[idx]
        image = pil_to_tensor(Image.open(self.img_dir / name))
        return (self.transform(image) if self.transform else image,
                self.target_transform(label) if self.target_transform else label)
''', "`len(CSVImageDataset(..., has_header=False))` is 5, expected 6"),
    WrongAnswer("csv_image_dataset", '''
class CSVImageDataset(Dataset):
    def __init__(self, annotations_file, img_dir, transform=None, target_transform=None, has_header=True):
        with open(annotations_file, newline="") as stream:
            reader = csv.reader(stream)
            if has_header:
                next(reader)
            self.samples = [(name.strip(), label.strip()) for name, label in reader]
        self.img_dir, self.transform, self.target_transform = Path(img_dir), transform, target_transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, idx):
        name, label = self.samples[idx]
        image = pil_to_tensor(Image.open(self.img_dir / name))
        return (self.transform(image) if self.transform else image,
                self.target_transform(label) if self.target_transform else label)
''', "`the label of CSVImageDataset(...)[0]` is a str, expected an int. The csv module gives strings"),
    WrongAnswer("csv_image_dataset", '''
class CSVImageDataset(Dataset):
    def __init__(self, annotations_file, img_dir, transform=None, target_transform=None, has_header=True):
        with open(annotations_file, newline="") as stream:
            reader = csv.reader(stream)
            if has_header:
                next(reader)
            self.samples = [(name.strip(), int(label)) for name, label in reader]
        self.img_dir, self.transform, self.target_transform = Path(img_dir), transform, target_transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, idx):
        name, label = self.samples[idx]
        return Image.open(self.img_dir / name), label
''', "`the image of CSVImageDataset(...)[0]` is a PngImageFile, expected a Tensor"),
    WrongAnswer("class_counts", '''
def class_counts(dataset, num_classes):
    labels = torch.stack([label for _, label in dataset])
    return torch.bincount(labels, minlength=num_classes)
''', "CheckFailed: `class_counts(int_labels, 5)` raised TypeError", visible=True),
    WrongAnswer("csv_image_dataset", '''
class CSVImageDataset(Dataset):
    def __init__(self, annotations_file, img_dir, transform=None, target_transform=None, has_header=True):
        with open(annotations_file, newline="") as stream:
            reader = csv.reader(stream)
            if has_header:
                next(reader)
            self.samples = [(name, int(label)) for name, label in reader]
        self.img_dir, self.transform, self.target_transform = Path(img_dir), transform, target_transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, idx):
        name, label = self.samples[idx]
        image = pil_to_tensor(Image.open(self.img_dir / name))
        return (self.transform(image) if self.transform else image,
                self.target_transform(label) if self.target_transform else label)
''', "CheckFailed: `CSVImageDataset(labels_spaced.csv, ...)[1]` raised FileNotFoundError", visible=True),
    WrongAnswer("num_batches", '''
def num_batches(n_samples, batch_size, drop_last=False):
    return n_samples // batch_size
''', "`num_batches(60000, 64)` is 937, expected 938"),
    WrongAnswer("num_batches", '''
def num_batches(n_samples, batch_size, drop_last=False):
    return n_samples // batch_size + 1
''', "`num_batches(60000, 64, True)` is 938, expected 937"),
    WrongAnswer("num_batches", '''
def num_batches(n_samples, batch_size, drop_last=False):
    return n_samples / batch_size
''', "`num_batches(60000, 64)` is a float, expected an int"),
    WrongAnswer("make_loaders", '''
def make_loaders(train_ds, test_ds, batch_size, generator=None):
    return (DataLoader(train_ds, batch_size=batch_size, shuffle=True, generator=generator),
            DataLoader(test_ds, batch_size=batch_size, shuffle=True, generator=generator))
''', "The test loader should not shuffle"),
    WrongAnswer("make_loaders", '''
def make_loaders(train_ds, test_ds, batch_size, generator=None):
    return DataLoader(train_ds, batch_size=batch_size, shuffle=True), DataLoader(test_ds, batch_size=batch_size)
''', "the training loader must draw its shuffle from the generator you are given", visible=True),
    WrongAnswer("make_loaders", '''
def make_loaders(train_ds, test_ds, batch_size, generator=None):
    own = torch.Generator().manual_seed(0)
    return (DataLoader(train_ds, batch_size=batch_size, shuffle=True, generator=own),
            DataLoader(test_ds, batch_size=batch_size))
''', "shuffles the same way for generators seeded 0 and 1", visible=True),
    WrongAnswer("make_loaders", '''
def make_loaders(train_ds, test_ds, batch_size, generator=None):
    return (DataLoader(test_ds, batch_size=batch_size),
            DataLoader(train_ds, batch_size=batch_size, shuffle=True, generator=generator))
''', "the loaders are swapped or use the wrong dataset"),
]

RIGHT_ANSWERS = [
    RightAnswer("make_loaders", '''
def make_loaders(train_ds, test_ds, batch_size, generator=None):
    sampler = torch.utils.data.RandomSampler(train_ds, generator=generator)
    return DataLoader(train_ds, batch_size=batch_size, sampler=sampler), DataLoader(test_ds, batch_size=batch_size)
''', "a RandomSampler drawing from the generator shuffles as asked, in another order than shuffle=True "
        "(the old test recomputed shuffle=True's exact order and rejected it)"),
]

# Answers that pass every visible test but solve only the visible examples.
HARD_CODED = {
    "class_counts": '''
def class_counts(dataset, num_classes):
    return torch.tensor([3, 2, 3, 0]) if num_classes == 4 else torch.tensor([1, 2, 0, 0, 1])
''',
    "csv_image_dataset": '''
class CSVImageDataset(Dataset):
    def __init__(self, annotations_file, img_dir, transform=None, target_transform=None, has_header=True):
        with open(annotations_file, newline="") as stream:
            reader = csv.reader(stream)
            if has_header:
                next(reader)
            self.samples = [(name.strip(), int(label)) for name, label in reader]
        self.img_dir, self.transform, self.target_transform = Path(img_dir), transform, target_transform

    def __len__(self):
        return 6

    def __getitem__(self, idx):
        name, label = self.samples[idx]
        image = pil_to_tensor(Image.open(self.img_dir / name))
        return (self.transform(image) if self.transform else image,
                self.target_transform(label) if self.target_transform else label)
''',
    "num_batches": '''
def num_batches(n_samples, batch_size, drop_last=False):
    return {(60000, 64, False): 938, (10000, 64, False): 157, (60000, 64, True): 937, (128, 64, False): 2}[
        (n_samples, batch_size, drop_last)]
''',
    "make_loaders": '''
def make_loaders(train_ds, test_ds, batch_size, generator=None):
    return (DataLoader(train_ds, batch_size=4, shuffle=True, generator=generator),
            DataLoader(test_ds, batch_size=4))
''',
}
