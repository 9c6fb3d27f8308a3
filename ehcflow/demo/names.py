"""Fixed lists the demo draws invented people and places from.

The council is invented: "Dunmore Borough Council", postcode area DM (not a real postcode
area), LA number 999 (not a real LA number). First names and surnames are common ones drawn
in random pairs, so no demo person is a real person; school names are invented.
"""

from __future__ import annotations

AUTHORITY_NAME = "Dunmore Borough Council"
POSTCODE_AREA = "DM"
LA_NUMBER = 999

BOYS = (
    "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Muhammad", "Oscar",
    "Charlie", "Jacob", "Thomas", "Henry", "William", "Freddie", "Alfie", "Theo", "Archie",
    "Joshua", "Alexander", "James", "Isaac", "Edward", "Lucas", "Max", "Ethan", "Tommy",
    "Finley", "Logan", "Teddy", "Reuben", "Mason", "Harrison", "Samuel", "Daniel", "Ezra",
    "Hugo", "Elijah", "Louie", "Dylan", "Jaxon", "Riley", "Albie", "Rory", "Toby", "Sonny",
    "Jude", "Carter", "Frankie", "Ronnie", "Harvey", "Kai", "Zachary", "Caleb", "Adam",
    "Aaron", "Nathan", "Ryan", "Kian", "Callum", "Owen", "Luca", "Milo", "Felix", "Jayden",
    "Ollie", "Ibrahim", "Yusuf", "Omar", "Arjun", "Kacper", "Jakub", "Mateo", "Tyler",
    "Connor", "Lewis", "Bailey", "Jenson", "Stanley", "Brody",
)
GIRLS = (
    "Olivia", "Amelia", "Isla", "Ava", "Ivy", "Freya", "Lily", "Florence", "Mia", "Willow",
    "Rosie", "Sophia", "Isabella", "Grace", "Daisy", "Sienna", "Poppy", "Elsie", "Emily",
    "Ella", "Evelyn", "Phoebe", "Sofia", "Evie", "Charlotte", "Harper", "Millie", "Matilda",
    "Maya", "Sophie", "Alice", "Emilia", "Isabelle", "Ruby", "Luna", "Maisie", "Aria",
    "Penelope", "Mila", "Bonnie", "Eva", "Hallie", "Eliza", "Ada", "Violet", "Esme", "Arabella",
    "Imogen", "Jessica", "Layla", "Chloe", "Lucy", "Hannah", "Erin", "Holly", "Megan",
    "Amber", "Zara", "Aisha", "Maryam", "Zuzanna", "Lena", "Nadia", "Priya", "Leah", "Niamh",
    "Caitlin", "Katie", "Abigail", "Scarlett", "Thea", "Beatrice", "Orla", "Nancy", "Edith",
    "Martha", "Heidi", "Lola", "Ellie", "Summer",
)
SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Wood", "Jackson", "Clarke", "Patel", "Khan", "Lewis", "James", "Phillips", "Mason",
    "Mitchell", "Rose", "Davis", "Rodriguez", "Cox", "Alexander", "Morris", "Moore",
    "Harrison", "Martin", "Cooper", "Ward", "Turner", "Hill", "Baker", "Parker", "Young",
    "King", "Allen", "Scott", "Hughes", "Edwards", "Lee", "Harris", "Carter", "Bennett",
    "Cook", "Shaw", "Bell", "Murphy", "Bailey", "Collins", "Richardson", "Price", "Kelly",
    "Marshall", "Fisher", "Griffiths", "Mills", "Gray", "Ellis", "Chapman", "Webb",
    "Graham", "Kennedy", "Wells", "Matthews", "Russell", "Palmer", "Dixon", "Hunt",
    "Barnes", "Knight", "Simpson", "Stevens", "Holmes", "Lloyd", "Powell", "Foster",
    "Gibson", "Butler", "Reid", "Hart", "Fox", "Lane", "Saunders", "Pearce", "Chambers",
    "Stone", "Owen", "Howard", "Ahmed", "Ali", "Hussain", "Begum", "Singh", "Kaur",
    "Nowak", "Kowalski", "Wisniewska", "Okafor", "Mensah", "Adeyemi", "Osei", "Nguyen",
    "Chen", "Wong", "Da Silva", "Santos", "Ferreira", "Costa", "O'Brien", "Byrne", "Doyle",
    "Gallagher", "MacDonald", "Campbell", "Stewart", "Ross", "Fraser", "Hamilton", "Burns",
    "Payne", "Tucker", "Dawson", "Lambert", "Perkins", "Hayes", "Rowe", "Hobbs", "Sutton",
    "Bishop", "Nash", "Pike", "Croft", "Barton", "Sheppard", "Bolton", "Hooper", "Winter",
    "Frost", "Hale", "Booth", "Newman", "Rees", "Vaughan", "Abbott", "Whitfield",
)
STAFF_FIRST_NAMES = (
    "Sarah", "Helen", "Claire", "Rachel", "Emma", "Laura", "Gemma", "Joanne", "Nicola",
    "Kate", "Louise", "Amanda", "Julie", "Michelle", "Rebecca", "Victoria", "Lisa", "Hayley",
    "Karen", "Natalie", "Samantha", "Zoe", "Jenny", "Anna", "Fiona", "Ruth", "Kirsty",
    "Charlotte", "Amy", "Beth", "Priya", "Aisha", "Shabana", "Marta", "Agnieszka", "Funmi",
    "Grace", "Joy", "Mark", "David", "Paul", "Andrew", "Richard", "Stephen", "Simon",
    "Matthew", "Chris", "Daniel", "James", "Tom", "Ben", "Gareth", "Neil", "Ian", "Raj",
    "Imran", "Tariq", "Kwame", "Tomasz", "Luis",
)

PLACES = (
    "Ashcombe", "Brindlewood", "Calderhythe", "Dunmore", "Eastwold", "Fennick Cross",
    "Gorsemoor", "Hallowell", "Inchbrook", "Kestle", "Longmere", "Marlcombe", "Netherby Hythe",
    "Oakmere", "Pennycross", "Quarley Down", "Redwell", "Saltmere", "Tollcombe", "Upcott",
    "Wyndham Vale", "Yarrowby", "Barrowfield", "Coldharbour", "Denby Marsh", "Elmcott",
    "Foxholes", "Greystoke Heath", "Hartwell", "Kingsmere", "Lynchmoor", "Mardale",
    "Northcott", "Oxley Green", "Pelham Rise", "Ravensworth", "Sandbourne", "Thornmere",
    "Westcombe", "Wrenfield",
)
SAINTS = ("Aldhelm", "Swithun", "Edmund", "Catherine", "Michael", "Mary", "Peter", "Luke",
          "Anne", "Francis", "Joseph", "Clement")

HEALTH_ORGANISATIONS = (
    "Dunmore Community Health NHS Trust: community paediatrics",
    "Dunmore Children's Therapy Service",
    "Dunmore CAMHS",
    "Dunmore and Saltmere Hospitals NHS Trust: child development centre",
)
SOCIAL_CARE_ORGANISATION = "Dunmore Children's Social Care"
EP_ORGANISATION = "Dunmore Educational Psychology Service"
OTHER_ADVICE_ORGANISATIONS = (
    "Dunmore Sensory Support Service",
    "Dunmore Speech and Language Therapy",
    "Dunmore Inclusion and Outreach Service",
)

# Postcode units use the letters Royal Mail allows in the last two characters.
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
